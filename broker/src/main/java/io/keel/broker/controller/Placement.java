package io.keel.broker.controller;

import io.keel.raft.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * Replica placement: partition {@code p}'s replicas are the {@code rf} consecutive brokers (in id
 * order, wrapping) starting at {@code start + p}. Every broker gets the same number of replicas and
 * of preferred leaderships (the first replica), within one, for each topic; {@code start} continues
 * across topics so small topics do not all lead from the same broker.
 */
public final class Placement {
  private Placement() {}

  public static List<List<Integer>> assign(
      List<Integer> brokers, int partitions, int replicationFactor, int start) {
    Checks.arg(
        replicationFactor >= 1 && replicationFactor <= brokers.size(),
        "replication factor %s needs between 1 and %s brokers",
        replicationFactor,
        brokers.size());
    Checks.arg(partitions >= 1, "partitions must be >= 1, was %s", partitions);
    int n = brokers.size();
    List<List<Integer>> out = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      List<Integer> replicas = new ArrayList<>(replicationFactor);
      for (int r = 0; r < replicationFactor; r++) {
        replicas.add(brokers.get(Math.floorMod(start + p + r, n)));
      }
      out.add(List.copyOf(replicas));
    }
    return out;
  }
}
