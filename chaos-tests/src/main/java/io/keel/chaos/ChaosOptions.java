package io.keel.chaos;

import io.keel.chaos.cluster.ClusterSpec;
import io.keel.chaos.cluster.NetworkMode;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.nemesis.NemesisTiming;
import io.keel.chaos.net.Degradation;
import io.keel.chaos.workload.WorkloadKind;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Everything that determines a chaos run. Build with {@link #builder()}; every field has a default
 * except that a seed is drawn at random when none is given.
 *
 * @param nodes brokers, 1 to 9
 * @param duration how long faults are injected, 1 s to 24 h
 * @param faults kinds the nemesis draws from
 * @param outputDir a run directory is created under it
 * @param netem delay and loss for the netem fault
 * @param progressInterval how often a progress line is printed
 * @param brokerMainClass the broker entry point (tests substitute a fake)
 * @param fsync broker fsync setting: always, interval=<ms> or never
 * @param unsafeLeaderAcks queue producers use acks=1: a send is acknowledged once the partition
 *     leader has appended it locally, before the quorum has it. Unsafe by design, for showing that
 *     the checker catches lost writes; needs idempotence off
 * @param writeback on lazy disks (power-loss, disk-full, fsync-error faults) unsynced changes
 *     become durable this long after a file was first dirtied, like the kernel's flusher; zero
 *     (default): never
 */
public record ChaosOptions(
    int nodes,
    Duration duration,
    Set<FaultKind> faults,
    long seed,
    WorkloadKind workload,
    boolean idempotence,
    Path outputDir,
    NetworkMode networkMode,
    NemesisTiming timing,
    Degradation netem,
    Duration progressInterval,
    String brokerMainClass,
    String fsync,
    boolean unsafeLeaderAcks,
    Duration writeback) {

  private static final Duration MAX_DURATION = Duration.ofHours(24);

  public ChaosOptions {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("nodes must be in [1, 9], got " + nodes);
    }
    if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("duration must be in [1s, 24h], got " + duration);
    }
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("faults must name at least one fault");
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("progressInterval must be > 0, got " + progressInterval);
    }
    if (unsafeLeaderAcks && idempotence) {
      throw new IllegalArgumentException(
          "unsafeLeaderAcks needs idempotence off (idempotent producers require acks=all)");
    }
    if (writeback.isNegative()) {
      throw new IllegalArgumentException("writeback must be >= 0, got " + writeback);
    }
    faults = Set.copyOf(EnumSet.copyOf(faults));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The `keel chaos` command line that repeats this run. */
  public String replayCommand() {
    StringBuilder cmd =
        new StringBuilder("keel chaos")
            .append(" --nodes ")
            .append(nodes)
            .append(" --duration ")
            .append(Durations.format(duration))
            .append(" --faults ")
            .append(FaultKind.format(EnumSet.copyOf(faults)))
            .append(" --seed ")
            .append(seed)
            .append(" --workload ")
            .append(workload.cliName())
            .append(" --idempotence ")
            .append(idempotence ? "on" : "off")
            .append(" --output ")
            .append(outputDir);
    if (unsafeLeaderAcks) {
      cmd.append(" --unsafe-leader-acks");
    }
    if (!fsync.equals("always")) {
      cmd.append(" --fsync ").append(fsync);
    }
    if (!writeback.isZero()) {
      cmd.append(" --writeback ").append(Durations.format(writeback));
    }
    if (networkMode != NetworkMode.AUTO) {
      cmd.append(" --network ").append(networkMode.name().toLowerCase(Locale.ROOT));
    }
    return cmd.toString();
  }

  /** Fluent construction with defaults: 3 nodes, 2 minutes, kill+pause+partition, queue. */
  public static final class Builder {
    private int nodes = 3;
    private Duration duration = Duration.ofMinutes(2);
    private Set<FaultKind> faults = FaultKind.parse("kill,pause,partition");
    private Long seed;
    private WorkloadKind workload = WorkloadKind.QUEUE;
    private boolean idempotence = true;
    private Path outputDir = Path.of("target", "chaos");
    private NetworkMode networkMode = NetworkMode.AUTO;
    private NemesisTiming timing = NemesisTiming.defaults();
    private Degradation netem = new Degradation(Duration.ofMillis(50), 5);
    private Duration progressInterval = Duration.ofSeconds(10);
    private String brokerMainClass = ClusterSpec.BROKER_MAIN;
    private String fsync = "always";
    private boolean unsafeLeaderAcks;
    private Duration writeback = Duration.ZERO;

    public Builder nodes(int value) {
      nodes = value;
      return this;
    }

    public Builder duration(Duration value) {
      duration = value;
      return this;
    }

    public Builder faults(Set<FaultKind> value) {
      faults = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder workload(WorkloadKind value) {
      workload = value;
      return this;
    }

    public Builder idempotence(boolean value) {
      idempotence = value;
      return this;
    }

    public Builder outputDir(Path value) {
      outputDir = value;
      return this;
    }

    public Builder networkMode(NetworkMode value) {
      networkMode = value;
      return this;
    }

    public Builder timing(NemesisTiming value) {
      timing = value;
      return this;
    }

    public Builder netem(Degradation value) {
      netem = value;
      return this;
    }

    public Builder progressInterval(Duration value) {
      progressInterval = value;
      return this;
    }

    public Builder brokerMainClass(String value) {
      brokerMainClass = value;
      return this;
    }

    public Builder fsync(String value) {
      fsync = value;
      return this;
    }

    public Builder unsafeLeaderAcks(boolean value) {
      unsafeLeaderAcks = value;
      return this;
    }

    public Builder writeback(Duration value) {
      writeback = value;
      return this;
    }

    public ChaosOptions build() {
      long s = seed != null ? seed : new SecureRandom().nextLong();
      return new ChaosOptions(
          nodes,
          duration,
          faults,
          s,
          workload,
          idempotence,
          outputDir,
          networkMode,
          timing,
          netem,
          progressInterval,
          brokerMainClass,
          fsync,
          unsafeLeaderAcks,
          writeback);
    }
  }
}
