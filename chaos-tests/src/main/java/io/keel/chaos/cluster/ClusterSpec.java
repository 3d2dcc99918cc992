package io.keel.chaos.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What cluster to start.
 *
 * @param nodes number of brokers, ids 1..nodes, all of them controller voters
 * @param workDir per-node data directories, configs and logs go under here
 * @param mainClass broker entry point, started with {@code --config <file>}
 * @param jvmArgs extra JVM flags for each broker (heap size etc.)
 * @param fsync broker fsync setting: always, interval=<ms> or never
 * @param raftTick broker raft.tick.ms
 * @param readyTimeout how long a node may take to report ready after starting
 * @param lazyDisks each node's data directory is a keel-lazyfs mount, so power loss, full disks and
 *     fsync errors can be injected ({@link io.keel.chaos.fs.LazyFs#probe()} must pass)
 * @param writeback on lazy disks, unsynced changes become durable this long after a file was first
 *     dirtied (the kernel flusher); zero: never, the strictest
 * @param brokerProperties extra broker settings a workload needs (e.g. a short share lock); may not
 *     override the keys the harness writes itself
 */
public record ClusterSpec(
    int nodes,
    Path workDir,
    NetworkMode networkMode,
    String mainClass,
    List<String> jvmArgs,
    String fsync,
    Duration raftTick,
    Duration readyTimeout,
    boolean lazyDisks,
    Duration writeback,
    Map<String, String> brokerProperties) {

  public static final String BROKER_MAIN = "io.keel.broker.BrokerMain";

  public ClusterSpec {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("nodes must be in [1, 9], got " + nodes);
    }
    if (raftTick.isNegative() || raftTick.isZero()) {
      throw new IllegalArgumentException("raftTick must be > 0, got " + raftTick);
    }
    if (writeback.isNegative()) {
      throw new IllegalArgumentException("writeback must be >= 0, got " + writeback);
    }
    jvmArgs = List.copyOf(jvmArgs);
    brokerProperties = Map.copyOf(new TreeMap<>(brokerProperties));
  }

  /** Without extra broker settings. */
  public ClusterSpec(
      int nodes,
      Path workDir,
      NetworkMode networkMode,
      String mainClass,
      List<String> jvmArgs,
      String fsync,
      Duration raftTick,
      Duration readyTimeout,
      boolean lazyDisks,
      Duration writeback) {
    this(
        nodes,
        workDir,
        networkMode,
        mainClass,
        jvmArgs,
        fsync,
        raftTick,
        readyTimeout,
        lazyDisks,
        writeback,
        Map.of());
  }

  /** Real brokers with small heaps, fsync always and 50 ms ticks. */
  public static ClusterSpec brokers(int nodes, Path workDir, NetworkMode mode) {
    return new ClusterSpec(
        nodes,
        workDir,
        mode,
        BROKER_MAIN,
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        "always",
        Duration.ofMillis(50),
        Duration.ofSeconds(60),
        false,
        Duration.ZERO);
  }
}
