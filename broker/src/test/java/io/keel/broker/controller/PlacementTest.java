package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlacementTest {

  @ParameterizedTest(name = "{0} brokers, {1} partitions, rf {2}, start {3}")
  @CsvSource({"3,6,3,0", "3,7,2,1", "5,10,3,4", "4,3,1,2", "1,5,1,0", "6,12,3,5"})
  void replicasAndLeadersSpreadWithinOne(int brokers, int partitions, int rf, int start) {
    List<Integer> ids = java.util.stream.IntStream.rangeClosed(1, brokers).boxed().toList();
    List<List<Integer>> assignment = Placement.assign(ids, partitions, rf, start);

    Map<Integer, Integer> replicas = new HashMap<>();
    Map<Integer, Integer> leaders = new HashMap<>();
    for (List<Integer> r : assignment) {
      assertEquals(rf, r.stream().distinct().count(), "replicas of a partition are distinct");
      r.forEach(id -> replicas.merge(id, 1, Integer::sum));
      leaders.merge(r.get(0), 1, Integer::sum);
    }
    assertEquals(partitions, assignment.size());
    assertSpread(ids, replicas, partitions * rf);
    assertSpread(ids, leaders, partitions);
  }

  private static void assertSpread(List<Integer> ids, Map<Integer, Integer> counts, int total) {
    int min = ids.stream().mapToInt(id -> counts.getOrDefault(id, 0)).min().orElseThrow();
    int max = ids.stream().mapToInt(id -> counts.getOrDefault(id, 0)).max().orElseThrow();
    assertTrue(max - min <= 1, "uneven: " + counts);
    assertEquals(total, counts.values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void consecutiveTopicsStartWhereThePreviousEnded() {
    List<Integer> ids = List.of(1, 2, 3);
    List<List<Integer>> first = Placement.assign(ids, 1, 1, 0);
    List<List<Integer>> second = Placement.assign(ids, 1, 1, 1);
    assertEquals(List.of(List.of(1)), first);
    assertEquals(List.of(List.of(2)), second);
  }
}
