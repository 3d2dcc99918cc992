package io.keel.client;

import java.util.List;

/** The cluster's nodes, controller and partition health. {@code controllerId} 0 = unknown. */
public record ClusterDescription(
    String clusterId,
    int controllerId,
    List<NodeStatus> nodes,
    int topicCount,
    int partitionCount,
    List<TopicPartition> underReplicatedPartitions,
    List<TopicPartition> offlinePartitions) {
  public ClusterDescription {
    nodes = List.copyOf(nodes);
    underReplicatedPartitions = List.copyOf(underReplicatedPartitions);
    offlinePartitions = List.copyOf(offlinePartitions);
  }

  /** Healthy: a controller, every node alive, no offline or under-replicated partition. */
  public boolean healthy() {
    return controllerId != 0
        && nodes.stream().allMatch(NodeStatus::alive)
        && offlinePartitions.isEmpty()
        && underReplicatedPartitions.isEmpty();
  }
}
