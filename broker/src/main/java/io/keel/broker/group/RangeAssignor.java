package io.keel.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The "range" assignor: for each topic, the subscribed members in id order get contiguous ranges of
 * partitions; the first {@code partitions % members} get one extra. Not sticky; co-partitioned
 * topics land on the same member.
 */
public final class RangeAssignor implements PartitionAssignor {
  public static final String NAME = "range";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Set<TopicPartition>> assign(
      SortedMap<String, Set<String>> subscriptions,
      Map<String, Integer> partitionCounts,
      Map<String, Set<TopicPartition>> previous) {
    Map<String, Set<TopicPartition>> out = new HashMap<>();
    subscriptions.keySet().forEach(m -> out.put(m, new TreeSet<>()));
    UniformAssignor.subscribedCounts(subscriptions, partitionCounts)
        .forEach(
            (topic, n) -> {
              List<String> members = new ArrayList<>();
              subscriptions.forEach(
                  (m, topics) -> {
                    if (topics.contains(topic)) {
                      members.add(m);
                    }
                  });
              int base = n / members.size();
              int extra = n % members.size();
              int next = 0;
              for (int i = 0; i < members.size(); i++) {
                int count = base + (i < extra ? 1 : 0);
                for (int p = next; p < next + count; p++) {
                  out.get(members.get(i)).add(new TopicPartition(topic, p));
                }
                next += count;
              }
            });
    return out;
  }
}
