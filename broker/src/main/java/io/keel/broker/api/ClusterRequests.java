package io.keel.broker.api;

import io.keel.broker.api.LeaderResolver.Leader;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.PartitionStatus;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ListTopicsResponse;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import io.keel.proto.Node;
import io.keel.proto.NodeStatus;
import io.keel.proto.PartitionMetadata;
import io.keel.proto.TopicListing;
import io.keel.proto.TopicMetadata;
import io.keel.proto.TopicPartition;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Metadata, DescribeCluster and ListTopics, answered from this node's metadata image. Partition
 * leaders are the newest (by term) of the local replica's Raft view and the controller's hint (see
 * {@link LeaderResolver}).
 */
final class ClusterRequests {
  private final String clusterId;
  private final PartitionManager partitions;
  private final MetadataView metadata;
  private final LeaderResolver leaders;

  ClusterRequests(
      String clusterId,
      PartitionManager partitions,
      MetadataView metadata,
      LeaderResolver leaders) {
    this.clusterId = clusterId;
    this.partitions = partitions;
    this.metadata = metadata;
    this.leaders = leaders;
  }

  MetadataResponse metadata(MetadataRequest request) {
    MetadataImage image = metadata.image();
    MetadataResponse.Builder b =
        MetadataResponse.newBuilder()
            .setClusterId(clusterId)
            .setControllerId(metadata.controllerLeaderId());
    image.brokers().values().stream().filter(BrokerInfo::online).forEach(x -> b.addNodes(node(x)));
    Collection<String> names =
        request.getTopicsList().isEmpty() ? image.topics().keySet() : request.getTopicsList();
    for (String name : names) {
      Optional<TopicInfo> topic = image.topic(name);
      if (topic.isEmpty()) {
        b.addTopics(TopicMetadata.newBuilder().setName(name).setError(unknownTopic(name)));
        continue;
      }
      TopicMetadata.Builder t = TopicMetadata.newBuilder().setName(name);
      for (int p = 0; p < topic.get().partitions(); p++) {
        Leader leader = leaders.leaderOf(topic.get(), p);
        t.addPartitions(
            PartitionMetadata.newBuilder()
                .setPartition(p)
                .setLeaderId(leader.nodeId())
                .setLeaderEpoch(leader.epoch())
                .addAllReplicas(topic.get().replicas(p))
                .addAllInSyncReplicas(topic.get().replicas(p)));
      }
      b.addTopics(t);
    }
    return b.build();
  }

  private static ErrorDetail unknownTopic(String name) {
    return ErrorDetails.of(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
  }

  static Node node(BrokerInfo broker) {
    Node.Builder n = Node.newBuilder().setId(broker.nodeId());
    String address = broker.clientAddress();
    int colon = address.lastIndexOf(':');
    if (colon > 0) {
      n.setHost(address.substring(0, colon))
          .setPort(Integer.parseInt(address.substring(colon + 1)));
    }
    return n.build();
  }

  DescribeClusterResponse describeCluster() {
    MetadataImage image = metadata.image();
    Map<Long, PartitionLeader> leaders = metadata.partitionLeaders();
    Map<Integer, Long> seen = metadata.lastSeenMsAgo();
    DescribeClusterResponse.Builder b =
        DescribeClusterResponse.newBuilder()
            .setClusterId(clusterId)
            .setControllerId(metadata.controllerLeaderId())
            .setTopicCount(image.topics().size())
            .setPartitionCount(image.partitionCount());
    for (BrokerInfo broker : image.brokers().values()) {
      int replicaCount = 0;
      for (TopicInfo t : image.topics().values()) {
        for (int p = 0; p < t.partitions(); p++) {
          replicaCount += t.replicas(p).contains(broker.nodeId()) ? 1 : 0;
        }
      }
      long leaderCount =
          leaders.values().stream().filter(l -> l.nodeId() == broker.nodeId()).count();
      b.addNodes(
          NodeStatus.newBuilder()
              .setNode(node(broker))
              .setAlive(broker.online())
              .setLeaderCount((int) leaderCount)
              .setReplicaCount(replicaCount)
              .setLastSeenMsAgo(seen.getOrDefault(broker.nodeId(), -1L)));
    }
    addPartitionHealth(image, leaders, b);
    return b.build();
  }

  /** Offline: no known leader. Under-replicated: as seen by this node's leaders. */
  private void addPartitionHealth(
      MetadataImage image, Map<Long, PartitionLeader> leaders, DescribeClusterResponse.Builder b) {
    int offline = 0;
    int under = 0;
    for (TopicInfo t : image.topics().values()) {
      for (int p = 0; p < t.partitions(); p++) {
        TopicPartition tp = TopicPartition.newBuilder().setTopic(t.name()).setPartition(p).build();
        Optional<PartitionStatus> local = partitions.status(t.name(), p);
        boolean localLeader = local.isPresent() && local.get().leader();
        if (!localLeader && !leaders.containsKey(t.groupId(p))) {
          offline++;
          b.addOfflinePartitions(tp);
        } else if (localLeader && local.get().underReplicated()) {
          under++;
          b.addUnderReplicatedPartitions(tp);
        }
      }
    }
    b.setOfflinePartitionCount(offline).setUnderReplicatedPartitionCount(under);
  }

  ListTopicsResponse listTopics(ListTopicsRequest request) {
    ListTopicsResponse.Builder b = ListTopicsResponse.newBuilder();
    for (TopicInfo t : metadata.image().topics().values()) {
      b.addTopics(
          TopicListing.newBuilder()
              .setName(t.name())
              .setPartitions(t.partitions())
              .setReplicationFactor(t.replicationFactor()));
    }
    return b.build();
  }
}
