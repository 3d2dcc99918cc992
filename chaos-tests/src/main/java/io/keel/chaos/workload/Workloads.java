package io.keel.chaos.workload;

import java.util.List;

/** Creates the workload a run asked for. */
public final class Workloads {
  private Workloads() {}

  /**
   * @param leaderAcks queue producers use acks=1 (unsafe; see ChaosOptions#unsafeLeaderAcks)
   */
  public static Workload create(WorkloadKind kind, boolean leaderAcks) {
    return switch (kind) {
      case QUEUE -> new QueueWorkload(leaderAcks);
      case OFFSETS -> new OffsetsWorkload();
      case TASK_QUEUE -> new TaskQueueWorkload(leaderAcks, TaskSabotage.NONE);
      case ALL ->
          new CompositeWorkload(List.of(new QueueWorkload(leaderAcks), new OffsetsWorkload()));
    };
  }
}
