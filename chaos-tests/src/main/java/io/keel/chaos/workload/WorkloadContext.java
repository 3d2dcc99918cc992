package io.keel.chaos.workload;

import io.keel.chaos.history.HistoryRecorder;
import java.nio.file.Path;
import java.util.List;

/**
 * What a workload gets from the runner.
 *
 * @param bootstrapServers comma-separated client addresses of every node
 * @param nodeAddresses client address of node i at index i - 1
 * @param history where every client operation is recorded (invoke, then ok/fail/info)
 * @param seed for the workload's own random choices
 * @param idempotence whether producers must be idempotent
 * @param runDir the run's report directory, for workload-specific files
 */
public record WorkloadContext(
    String bootstrapServers,
    List<String> nodeAddresses,
    HistoryRecorder history,
    long seed,
    boolean idempotence,
    Path runDir) {
  public WorkloadContext {
    nodeAddresses = List.copyOf(nodeAddresses);
  }
}
