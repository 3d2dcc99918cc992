package io.keel.broker.group;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Computes a group's target assignment on the coordinator. Implementations are pure and
 * deterministic: the same input gives the same output, and feeding an assignment back in as {@code
 * previous} with unchanged members and partitions returns it unchanged (so an idle group does not
 * rebalance).
 */
public interface PartitionAssignor {

  String name();

  /**
   * @param subscriptions each member's subscribed topics, by member id
   * @param partitionCounts partitions per existing topic (topics absent here get nothing)
   * @param previous each member's previous target assignment (may name departed members)
   * @return every member of {@code subscriptions} mapped to its partitions; no partition twice
   */
  Map<String, Set<TopicPartition>> assign(
      SortedMap<String, Set<String>> subscriptions,
      Map<String, Integer> partitionCounts,
      Map<String, Set<TopicPartition>> previous);
}
