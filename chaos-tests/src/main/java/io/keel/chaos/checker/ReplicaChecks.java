package io.keel.chaos.checker;

import io.keel.chaos.history.Rec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Committed logs of all replicas of a partition agree wherever they overlap. */
final class ReplicaChecks {
  private ReplicaChecks() {}

  static void run(ReplicaLogs logs, Anomalies out) {
    new TreeMap<>(logs.byPartition()).forEach((partition, byNode) -> check(partition, byNode, out));
  }

  private static void check(int partition, Map<Integer, List<Rec>> byNode, Anomalies out) {
    // offset -> (value -> first node that holds it)
    Map<Long, Map<Long, Integer>> seen = new TreeMap<>();
    new TreeMap<>(byNode)
        .forEach(
            (node, recs) -> {
              for (Rec r : recs) {
                seen.computeIfAbsent(r.offset(), o -> new HashMap<>()).putIfAbsent(r.value(), node);
              }
            });
    seen.forEach(
        (offset, values) -> {
          if (values.size() > 1) {
            out.add(
                AnomalyType.REPLICA_DIVERGENCE,
                "p%d@%d: value->node %s".formatted(partition, offset, new TreeMap<>(values)));
          }
        });
  }
}
