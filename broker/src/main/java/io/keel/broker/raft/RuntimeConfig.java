package io.keel.broker.raft;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * Settings of the {@link EventLoopRuntime}.
 *
 * @param nodeId this node's id
 * @param eventLoops event-loop threads shared by all groups
 * @param tick the Raft clock's tick period
 * @param electionTicks ticks without a leader before campaigning
 * @param heartbeatTicks ticks between leader heartbeats
 * @param snapshotIntervalEntries applied entries kept in the log before the runtime takes an
 *     application snapshot and compacts the log up to it
 */
public record RuntimeConfig(
    int nodeId,
    int eventLoops,
    Duration tick,
    int electionTicks,
    int heartbeatTicks,
    long snapshotIntervalEntries) {

  public RuntimeConfig {
    Checks.arg(nodeId > 0, "nodeId must be > 0, was %s", nodeId);
    Checks.arg(eventLoops > 0, "eventLoops must be > 0, was %s", eventLoops);
    Checks.arg(tick.toMillis() > 0, "tick must be >= 1 ms, was %s", tick);
    Checks.arg(snapshotIntervalEntries > 0, "snapshotIntervalEntries must be > 0");
  }

  /** Event loops for this machine: one per core, at least two. */
  public static int defaultEventLoops() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }
}
