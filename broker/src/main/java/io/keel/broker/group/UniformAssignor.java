package io.keel.broker.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The default assignor ("uniform"): balanced and sticky. Each member keeps the partitions it had
 * that it still subscribes to; unassigned partitions go to the eligible member with the fewest;
 * then partitions move, one at a time, from a member with the most to an eligible member with at
 * least two fewer, until no such move exists. With identical subscriptions counts differ by at most
 * one, and a membership change moves only the partitions it has to.
 */
public final class UniformAssignor implements PartitionAssignor {
  public static final String NAME = "uniform";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Set<TopicPartition>> assign(
      SortedMap<String, Set<String>> subscriptions,
      Map<String, Integer> partitionCounts,
      Map<String, Set<TopicPartition>> previous) {
    Map<String, TreeSet<TopicPartition>> out = new TreeMap<>();
    Set<TopicPartition> taken = new HashSet<>();
    subscriptions.forEach(
        (member, topics) -> {
          TreeSet<TopicPartition> kept = new TreeSet<>();
          for (TopicPartition tp : previous.getOrDefault(member, Set.of())) {
            if (valid(tp, topics, partitionCounts) && taken.add(tp)) {
              kept.add(tp);
            }
          }
          out.put(member, kept);
        });
    for (TopicPartition tp : allPartitions(subscriptions, partitionCounts)) {
      if (!taken.contains(tp)) {
        String best = null;
        for (Map.Entry<String, Set<String>> m : subscriptions.entrySet()) {
          if (m.getValue().contains(tp.topic())
              && (best == null || out.get(m.getKey()).size() < out.get(best).size())) {
            best = m.getKey();
          }
        }
        out.get(best).add(tp);
        taken.add(tp);
      }
    }
    while (moveOne(subscriptions, out)) {
      // Each move lowers the sum of squared counts, so this ends.
    }
    return new HashMap<>(out);
  }

  /** Moves one partition from a fuller member to an eligible member with two or more fewer. */
  private static boolean moveOne(
      SortedMap<String, Set<String>> subscriptions, Map<String, TreeSet<TopicPartition>> out) {
    for (Map.Entry<String, TreeSet<TopicPartition>> from : byCountDescending(out)) {
      for (TopicPartition tp : from.getValue().descendingSet()) {
        String to = null;
        for (Map.Entry<String, Set<String>> m : subscriptions.entrySet()) {
          int size = out.get(m.getKey()).size();
          if (m.getValue().contains(tp.topic())
              && size + 1 < from.getValue().size()
              && (to == null || size < out.get(to).size())) {
            to = m.getKey();
          }
        }
        if (to != null) {
          from.getValue().remove(tp);
          out.get(to).add(tp);
          return true;
        }
      }
    }
    return false;
  }

  private static Iterable<Map.Entry<String, TreeSet<TopicPartition>>> byCountDescending(
      Map<String, TreeSet<TopicPartition>> out) {
    return out.entrySet().stream()
        .sorted(
            (a, b) ->
                a.getValue().size() != b.getValue().size()
                    ? Integer.compare(b.getValue().size(), a.getValue().size())
                    : a.getKey().compareTo(b.getKey()))
        .toList();
  }

  static boolean valid(TopicPartition tp, Set<String> topics, Map<String, Integer> counts) {
    Integer n = counts.get(tp.topic());
    return topics.contains(tp.topic()) && n != null && tp.partition() < n;
  }

  static SortedMap<String, Integer> subscribedCounts(
      SortedMap<String, Set<String>> subscriptions, Map<String, Integer> partitionCounts) {
    SortedMap<String, Integer> out = new TreeMap<>();
    subscriptions
        .values()
        .forEach(
            topics ->
                topics.forEach(
                    t -> {
                      Integer n = partitionCounts.get(t);
                      if (n != null) {
                        out.put(t, n);
                      }
                    }));
    return out;
  }

  private static Set<TopicPartition> allPartitions(
      SortedMap<String, Set<String>> subscriptions, Map<String, Integer> partitionCounts) {
    Set<TopicPartition> out = new TreeSet<>();
    subscribedCounts(subscriptions, partitionCounts)
        .forEach(
            (topic, n) -> {
              for (int p = 0; p < n; p++) {
                out.add(new TopicPartition(topic, p));
              }
            });
    return out;
  }
}
