package io.keel.broker.controller;

import io.keel.raft.Checks;
import java.util.List;
import java.util.Map;

/**
 * A topic as the controller records it.
 *
 * @param name topic name
 * @param topicId unique id, never reused; partition group ids derive from it
 * @param assignments replicas of each partition; the first is the preferred leader
 * @param configs topic-level overrides (see {@link TopicConfigs})
 */
public record TopicInfo(
    String name, int topicId, List<List<Integer>> assignments, Map<String, String> configs) {

  /** Partitions per topic are limited so that a group id packs topic id and partition. */
  public static final int PARTITION_BITS = 20;

  public static final int MAX_PARTITIONS = 1 << 16;

  public TopicInfo {
    Checks.arg(topicId > 0, "topic %s: id must be > 0, was %s", name, topicId);
    assignments = assignments.stream().map(List::copyOf).toList();
    configs = Map.copyOf(configs);
  }

  public int partitions() {
    return assignments.size();
  }

  public int replicationFactor() {
    return assignments.isEmpty() ? 0 : assignments.get(0).size();
  }

  public List<Integer> replicas(int partition) {
    return assignments.get(partition);
  }

  /** The Raft group id of {@code partition}; never 0 (the metadata group). */
  public long groupId(int partition) {
    return groupId(topicId, partition);
  }

  public static long groupId(int topicId, int partition) {
    return ((long) topicId << PARTITION_BITS) | partition;
  }

  /** The partition of a partition group id. */
  public static int partitionOf(long groupId) {
    return (int) (groupId & ((1L << PARTITION_BITS) - 1));
  }

  /** The topic id of a partition group id. */
  public static int topicIdOf(long groupId) {
    return (int) (groupId >>> PARTITION_BITS);
  }
}
