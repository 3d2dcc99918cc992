package io.keel.client.internal;

import io.keel.client.TopicPartition;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.MetadataResponse;
import io.keel.proto.Node;
import io.keel.proto.PartitionMetadata;
import io.keel.proto.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An immutable view of the cluster from one Metadata response. */
public record ClusterSnapshot(
    Map<Integer, HostPort> nodes, int controllerId, Map<String, TopicInfo> topics) {

  public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), 0, Map.of());

  /** One topic; {@code error} is NONE when the topic exists. */
  public record TopicInfo(String name, ErrorDetail error, List<PartitionInfo> partitions) {}

  /** One partition; {@code leaderId} 0 means no leader is known. */
  public record PartitionInfo(
      int partition, int leaderId, long leaderEpoch, List<Integer> replicas, List<Integer> isr) {}

  public static ClusterSnapshot from(MetadataResponse response) {
    Map<Integer, HostPort> nodes = new HashMap<>();
    for (Node node : response.getNodesList()) {
      nodes.put(node.getId(), new HostPort(node.getHost(), node.getPort()));
    }
    Map<String, TopicInfo> topics = new HashMap<>();
    for (TopicMetadata topic : response.getTopicsList()) {
      List<PartitionInfo> partitions = new ArrayList<>();
      for (PartitionMetadata p : topic.getPartitionsList()) {
        partitions.add(
            new PartitionInfo(
                p.getPartition(),
                p.getLeaderId(),
                p.getLeaderEpoch(),
                List.copyOf(p.getReplicasList()),
                List.copyOf(p.getInSyncReplicasList())));
      }
      partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      topics.put(topic.getName(), new TopicInfo(topic.getName(), topic.getError(), partitions));
    }
    return new ClusterSnapshot(Map.copyOf(nodes), response.getControllerId(), Map.copyOf(topics));
  }

  /** Partition count of an existing topic, or -1 when unknown or in error. */
  public int partitionCount(String topic) {
    TopicInfo info = topics.get(topic);
    if (info == null || info.error().getCode() != ErrorCode.NONE) {
      return -1;
    }
    return info.partitions().size();
  }

  /** True when this snapshot says the topic does not exist. */
  public boolean topicMissing(String topic) {
    TopicInfo info = topics.get(topic);
    return info == null || info.error().getCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  public PartitionInfo partition(TopicPartition tp) {
    TopicInfo info = topics.get(tp.topic());
    if (info == null || tp.partition() >= info.partitions().size()) {
      return null;
    }
    PartitionInfo p = info.partitions().get(tp.partition());
    return p.partition() == tp.partition() ? p : null;
  }

  /** Leader's node id, or 0 when unknown. */
  public int leaderId(TopicPartition tp) {
    PartitionInfo p = partition(tp);
    return p == null || !nodes.containsKey(p.leaderId()) ? 0 : p.leaderId();
  }

  public HostPort address(int nodeId) {
    return nodes.get(nodeId);
  }
}
