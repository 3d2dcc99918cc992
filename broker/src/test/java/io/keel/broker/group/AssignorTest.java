package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AssignorTest {
  private final UniformAssignor uniform = new UniformAssignor();

  private static SortedMap<String, Set<String>> members(String topic, String... ids) {
    SortedMap<String, Set<String>> out = new TreeMap<>();
    for (String id : ids) {
      out.put(id, Set.of(topic));
    }
    return out;
  }

  private static void assertPartitionsOnce(Map<String, Set<TopicPartition>> a, int total) {
    Set<TopicPartition> seen = new HashSet<>();
    a.values().forEach(s -> s.forEach(tp -> assertTrue(seen.add(tp), tp + " assigned twice")));
    assertEquals(total, seen.size());
  }

  private static void assertBalanced(Map<String, Set<TopicPartition>> a) {
    int min = a.values().stream().mapToInt(Set::size).min().orElseThrow();
    int max = a.values().stream().mapToInt(Set::size).max().orElseThrow();
    assertTrue(max - min <= 1, "unbalanced: " + a);
  }

  @Test
  void uniformIsBalancedAndCoversEveryPartition() {
    Map<String, Set<TopicPartition>> a =
        uniform.assign(members("t", "a", "b", "c"), Map.of("t", 12), Map.of());
    assertPartitionsOnce(a, 12);
    a.values().forEach(s -> assertEquals(4, s.size()));
    Map<String, Set<TopicPartition>> b =
        uniform.assign(members("t", "a", "b", "c", "d", "e"), Map.of("t", 12), Map.of());
    assertPartitionsOnce(b, 12);
    assertBalanced(b);
  }

  @Test
  void uniformIsStickyAcrossMembershipChanges() {
    Map<String, Set<TopicPartition>> three =
        uniform.assign(members("t", "a", "b", "c"), Map.of("t", 12), Map.of());
    // Idempotent: the same input keeps the same assignment.
    assertEquals(three, uniform.assign(members("t", "a", "b", "c"), Map.of("t", 12), three));
    // A fourth member takes exactly 3 partitions; nobody else loses more than needed.
    Map<String, Set<TopicPartition>> four =
        uniform.assign(members("t", "a", "b", "c", "d"), Map.of("t", 12), three);
    assertPartitionsOnce(four, 12);
    assertBalanced(four);
    for (String m : Set.of("a", "b", "c")) {
      assertTrue(three.get(m).containsAll(four.get(m)), m + " gained while d joined");
      assertEquals(3, four.get(m).size());
    }
    // b leaves: a, c, d keep everything they had and share b's partitions.
    Map<String, Set<TopicPartition>> afterLeave =
        uniform.assign(members("t", "a", "c", "d"), Map.of("t", 12), four);
    assertPartitionsOnce(afterLeave, 12);
    for (String m : Set.of("a", "c", "d")) {
      assertTrue(afterLeave.get(m).containsAll(four.get(m)), m + " lost partitions");
      assertEquals(4, afterLeave.get(m).size());
    }
  }

  @Test
  void uniformHonoursDifferentSubscriptions() {
    SortedMap<String, Set<String>> subs = new TreeMap<>();
    subs.put("a", Set.of("x"));
    subs.put("b", Set.of("x", "y"));
    subs.put("c", Set.of("y"));
    Map<String, Set<TopicPartition>> a = uniform.assign(subs, Map.of("x", 4, "y", 4), Map.of());
    assertPartitionsOnce(a, 8);
    a.get("a").forEach(tp -> assertEquals("x", tp.topic()));
    a.get("c").forEach(tp -> assertEquals("y", tp.topic()));
    assertBalanced(a);
  }

  @Test
  void rangeGivesContiguousRanges() {
    Map<String, Set<TopicPartition>> a =
        new RangeAssignor().assign(members("t", "a", "b", "c"), Map.of("t", 7), new HashMap<>());
    assertEquals(
        Set.of(new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2)),
        a.get("a"));
    assertEquals(Set.of(new TopicPartition("t", 3), new TopicPartition("t", 4)), a.get("b"));
    assertEquals(Set.of(new TopicPartition("t", 5), new TopicPartition("t", 6)), a.get("c"));
  }

  @Test
  void unknownTopicsGetNothing() {
    Map<String, Set<TopicPartition>> a =
        uniform.assign(members("missing", "a"), Map.of("t", 3), Map.of());
    assertEquals(Set.of(), a.get("a"));
  }
}
