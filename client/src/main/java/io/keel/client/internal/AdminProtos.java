package io.keel.client.internal;

import io.keel.client.ClusterDescription;
import io.keel.client.GroupDescription;
import io.keel.client.GroupListing;
import io.keel.client.GroupState;
import io.keel.client.NodeInfo;
import io.keel.client.NodeStatus;
import io.keel.client.OffsetResetSpec;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import io.keel.client.TopicListing;
import io.keel.client.TopicPartition;
import io.keel.proto.Assignment;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.MemberDescription;
import io.keel.proto.Node;
import io.keel.proto.OffsetSpec;
import io.keel.proto.PartitionLag;
import io.keel.proto.TopicPartitions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Maps admin responses from their generated types to the public records. */
public final class AdminProtos {
  private AdminProtos() {}

  public static TopicListing listing(io.keel.proto.TopicListing t) {
    return new TopicListing(
        t.getName(), t.getPartitions(), t.getReplicationFactor(), t.getInternal());
  }

  public static TopicDescription topic(io.keel.proto.TopicDescription t) {
    List<PartitionDescription> partitions =
        t.getPartitionsList().stream()
            .map(
                p ->
                    new PartitionDescription(
                        p.getPartition(),
                        p.getLeaderId(),
                        p.getLeaderEpoch(),
                        p.getReplicasList(),
                        p.getInSyncReplicasList(),
                        p.getLogStartOffset(),
                        p.getLogEndOffset(),
                        p.getHighWatermark(),
                        p.getSizeBytes()))
            .toList();
    return new TopicDescription(
        t.getName(), t.getReplicationFactor(), t.getConfigsMap(), partitions, t.getInternal());
  }

  public static NodeInfo node(Node n) {
    return new NodeInfo(n.getId(), n.getHost(), n.getPort(), n.hasRack() ? n.getRack() : null);
  }

  public static ClusterDescription cluster(DescribeClusterResponse r) {
    return new ClusterDescription(
        r.getClusterId(),
        r.getControllerId(),
        r.getNodesList().stream()
            .map(
                s ->
                    new NodeStatus(
                        node(s.getNode()),
                        s.getAlive(),
                        s.getLeaderCount(),
                        s.getReplicaCount(),
                        s.getLastSeenMsAgo()))
            .toList(),
        r.getTopicCount(),
        r.getPartitionCount(),
        r.getUnderReplicatedPartitionsList().stream().map(AdminProtos::tp).toList(),
        r.getOfflinePartitionsList().stream().map(AdminProtos::tp).toList());
  }

  public static TopicPartition tp(io.keel.proto.TopicPartition tp) {
    return new TopicPartition(tp.getTopic(), tp.getPartition());
  }

  public static GroupState state(io.keel.proto.GroupState s) {
    return switch (s) {
      case GROUP_STATE_EMPTY -> GroupState.EMPTY;
      case GROUP_STATE_ASSIGNING -> GroupState.ASSIGNING;
      case GROUP_STATE_RECONCILING -> GroupState.RECONCILING;
      case GROUP_STATE_STABLE -> GroupState.STABLE;
      case GROUP_STATE_DEAD -> GroupState.DEAD;
      case GROUP_STATE_UNSPECIFIED, UNRECOGNIZED -> GroupState.UNKNOWN;
    };
  }

  public static GroupListing group(io.keel.proto.GroupListing g) {
    return new GroupListing(g.getGroupId(), state(g.getState()), g.getCoordinatorId());
  }

  public static GroupDescription group(io.keel.proto.GroupDescription g) {
    return new GroupDescription(
        g.getGroupId(),
        state(g.getState()),
        g.getGroupEpoch(),
        g.getAssignmentEpoch(),
        g.hasCoordinator() ? node(g.getCoordinator()) : null,
        g.getAssignor(),
        g.getMembersList().stream().map(AdminProtos::member).toList(),
        g.getOffsetsList().stream().map(AdminProtos::lag).toList());
  }

  private static GroupDescription.Member member(MemberDescription m) {
    return new GroupDescription.Member(
        m.getMemberId(),
        m.hasInstanceId() ? m.getInstanceId() : null,
        m.getClientId(),
        m.getClientHost(),
        m.getMemberEpoch(),
        List.copyOf(m.getSubscribedTopicsList()),
        partitions(m.getAssignment()),
        partitions(m.getTargetAssignment()));
  }

  private static GroupDescription.PartitionLag lag(PartitionLag l) {
    return new GroupDescription.PartitionLag(
        new TopicPartition(l.getTopic(), l.getPartition()),
        l.getCommittedOffset(),
        l.getLogEndOffset(),
        l.getLag(),
        l.getMemberId());
  }

  private static Set<TopicPartition> partitions(Assignment a) {
    Set<TopicPartition> out = new LinkedHashSet<>();
    for (TopicPartitions tps : a.getPartitionsList()) {
      tps.getPartitionsList().forEach(p -> out.add(new TopicPartition(tps.getTopic(), p)));
    }
    return out;
  }

  public static OffsetSpec spec(OffsetResetSpec spec) {
    return switch (spec) {
      case OffsetResetSpec.Earliest e ->
          OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.EARLIEST).build();
      case OffsetResetSpec.Latest l ->
          OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.LATEST).build();
      case OffsetResetSpec.ToTimestamp t ->
          OffsetSpec.newBuilder()
              .setKind(OffsetSpec.Kind.BY_TIMESTAMP)
              .setTimestampMs(t.timestampMs())
              .build();
      case OffsetResetSpec.ToOffset o ->
          OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.EXACT).setOffset(o.offset()).build();
    };
  }
}
