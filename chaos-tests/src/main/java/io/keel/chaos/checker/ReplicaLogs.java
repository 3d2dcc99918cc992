package io.keel.chaos.checker;

import io.keel.chaos.history.Rec;
import java.util.List;
import java.util.Map;

/**
 * Each replica's committed log at the end of a run: partition -> node id -> records up to that
 * replica's commit point, in offset order.
 */
public record ReplicaLogs(Map<Integer, Map<Integer, List<Rec>>> byPartition) {
  public ReplicaLogs {
    byPartition = Map.copyOf(byPartition);
  }

  public static ReplicaLogs none() {
    return new ReplicaLogs(Map.of());
  }
}
