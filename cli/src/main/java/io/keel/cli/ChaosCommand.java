package io.keel.cli;

import io.keel.chaos.ChaosOptions;
import io.keel.chaos.ChaosResult;
import io.keel.chaos.ChaosRunner;
import io.keel.chaos.cluster.NetworkMode;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.workload.WorkloadKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keel chaos}: a Jepsen-style run of real brokers under injected faults. */
@Command(
    name = "chaos",
    description = {
      "Start local broker processes, drive a workload, inject seeded faults",
      "(kill -9, SIGSTOP, network partitions, power loss, disk damage, full",
      "disks, wiped nodes, fsync errors), heal, read everything back and",
      "check the history for lost, duplicated or reordered data. Writes an HTML",
      "report; exits 1 on any anomaly. The seed and the command that replays the",
      "run are printed first. Partitions need network namespaces (Linux, root);",
      "power loss, full disks and fsync errors need FUSE (fuse3, libfuse3-dev and",
      "a C compiler); see docs/verification.md."
    },
    footer = {
      "",
      "Fault names: kill-node, kill-leader, kill-controller, kill-two, pause-node,",
      "pause-leader, pause-controller, isolate-node, isolate-leader, halves,",
      "bridge, one-way, netem, rolling-restart, power-loss-node,",
      "power-loss-minority, power-loss-all, bitflip, truncate-file, delete-file,",
      "disk-full, wipe-node, fsync-error; groups: kill, pause, partition, restart,",
      "power, disk, full, wipe, all.",
      "",
      "Examples:",
      "  keel chaos                 # 3 nodes, 2m, kill,pause,partition, all",
      "  keel chaos --nodes 5 --duration 10m --faults all --seed 42",
      "  keel chaos --workload queue --idempotence off",
      "  keel chaos --workload task-queue --faults kill,pause   # share groups",
      "  # Prove the checker catches loss (acks on the leader's own append):",
      "  keel chaos --faults isolate-leader --workload queue \\",
      "      --idempotence off --unsafe-leader-acks",
      "  # Power loss with fsync never must lose acknowledged writes:",
      "  keel chaos --faults power-loss-all --fsync never --writeback 5s"
    })
final class ChaosCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--nodes", description = "Brokers, 1 to 9. Default: 3.")
  int nodes = 3;

  @Option(
      names = "--duration",
      converter = Durations.class,
      description = "How long faults are injected, e.g. 90s, 10m. Default: 2m.")
  Duration duration = Duration.ofMinutes(2);

  @Option(
      names = "--faults",
      description = "Comma-separated fault names or groups. Default: kill,pause,partition.")
  String faults = "kill,pause,partition";

  @Option(names = "--seed", description = "Seed of the fault schedule. Default: random.")
  Long seed;

  @Option(
      names = "--workload",
      description =
          "queue, offsets, task-queue (share groups) or all (queue + offsets). Default: all.")
  String workload = "all";

  @Option(
      names = "--idempotence",
      description = "on or off: idempotent producers (duplicates then count). Default: on.")
  String idempotence = "on";

  @Option(names = "--network", description = "auto, netns or proxy. Default: auto.")
  String network = "auto";

  @Option(names = "--fsync", description = "Broker fsync: always, never, interval=<ms>.")
  String fsync = "always";

  @Option(
      names = "--writeback",
      converter = Durations.class,
      description =
          "With FUSE faults, unsynced writes become durable this long after a file was first"
              + " dirtied (the kernel flusher). Default: 0 (never).")
  Duration writeback = Duration.ZERO;

  @Option(
      names = "--unsafe-leader-acks",
      description =
          "Producers use acks=1 (acknowledged on the leader's own append): loses writes under"
              + " faults, to show the checker catches it. Needs --idempotence off.")
  boolean unsafeLeaderAcks;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Reports go to DIR/<time>-<run>/. Default: chaos-results.")
  Path output = Path.of("chaos-results");

  @Override
  public Integer call() {
    ChaosOptions.Builder b =
        ChaosOptions.builder()
            .nodes(nodes)
            .duration(duration)
            .faults(parse("--faults", () -> FaultKind.parse(faults)))
            .workload(parse("--workload", () -> WorkloadKind.parse(workload)))
            .idempotence(onOff(idempotence))
            .networkMode(parse("--network", () -> NetworkMode.valueOf(upper(network))))
            .fsync(fsync)
            .unsafeLeaderAcks(unsafeLeaderAcks)
            .writeback(writeback)
            .outputDir(output);
    if (seed != null) {
      b.seed(seed);
    }
    ChaosOptions options = parse("options", b::build);
    ChaosResult result = ChaosRunner.run(options);
    return result.valid() ? 0 : ErrorHandler.EXIT_FAILURE;
  }

  private boolean onOff(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default ->
          throw new ParameterException(
              spec.commandLine(), "--idempotence must be on or off, was '" + value + "'");
    };
  }

  private static String upper(String s) {
    return s.strip().toUpperCase(Locale.ROOT);
  }

  /** Turns a bad value into a usage error naming the option. */
  private <T> T parse(String option, Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }
}
