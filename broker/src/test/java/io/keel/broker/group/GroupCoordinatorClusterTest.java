package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.GroupDescription;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientBlockingStub;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.Node;
import io.keel.proto.OffsetSpec;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.ResetOffsetsResponse;
import io.keel.proto.TopicPartitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The coordinator over real gRPC on a three-node cluster, driven by raw protocol messages. */
class GroupCoordinatorClusterTest {
  static final Map<String, String> GROUP_SETTINGS =
      Map.of(
          "offsets.topic.partitions", "3",
          "group.session.timeout.ms", "1500",
          "group.heartbeat.interval.ms", "100");

  private static TestCluster cluster;
  private static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, GROUP_SETTINGS);
    cluster.awaitReady(Duration.ofSeconds(30));
    assertEquals(ErrorCode.NONE, cluster.createTopic("orders", 4, 3).getError().getCode());
  }

  @AfterAll
  static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (cluster != null) {
      cluster.close();
    }
  }

  private static KeelClientBlockingStub stub(String host, int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    channels.add(ch);
    return KeelClientGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static KeelClientBlockingStub anyNode() {
    int id = cluster.runningNodes().get(0);
    var address = cluster.node(id).clientAddress();
    return stub(address.host(), address.port());
  }

  /** Waits for FindCoordinator to name a coordinator that answers for the group. */
  static KeelClientBlockingStub coordinator(String groupId) {
    AtomicReference<Node> found = new AtomicReference<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          FindCoordinatorResponse r =
              anyNode()
                  .findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(groupId).build());
          if (r.getError().getCode() != ErrorCode.NONE) {
            return false;
          }
          found.set(r.getCoordinator());
          ConsumerGroupHeartbeatResponse probe =
              stub(r.getCoordinator().getHost(), r.getCoordinator().getPort())
                  .consumerGroupHeartbeat(
                      ConsumerGroupHeartbeatRequest.newBuilder()
                          .setGroupId(groupId)
                          .setMemberId("probe")
                          .setMemberEpoch(1)
                          .build());
          return probe.getError().getCode() == ErrorCode.UNKNOWN_MEMBER_ID;
        },
        () -> "no serving coordinator for " + groupId);
    return stub(found.get().getHost(), found.get().getPort());
  }

  private static ConsumerGroupHeartbeatResponse join(KeelClientBlockingStub c, String groupId) {
    return c.consumerGroupHeartbeat(
        ConsumerGroupHeartbeatRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberEpoch(0)
            .setClientId("raw")
            .addSubscribedTopics("orders")
            .build());
  }

  private static CommitOffsetsResponse commit(
      KeelClientBlockingStub c, String groupId, String memberId, int epoch, int partition, long o) {
    return c.commitOffsets(
        CommitOffsetsRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberId(memberId)
            .setMemberEpoch(epoch)
            .addOffsets(
                CommitOffset.newBuilder()
                    .setTopic("orders")
                    .setPartition(partition)
                    .setOffset(o)
                    .setMetadata("m" + o))
            .build());
  }

  @Test
  void memberJoinsCommitsAndIsFencedAfterItsSessionExpires() {
    KeelClientBlockingStub c = coordinator("zombies");
    ConsumerGroupHeartbeatResponse joined = join(c, "zombies");
    assertEquals(ErrorCode.NONE, joined.getError().getCode(), joined.toString());
    assertEquals(100, joined.getHeartbeatIntervalMs());
    assertTrue(joined.getMemberEpoch() > 0);
    assertEquals(4, joined.getAssignment().getPartitions(0).getPartitionsCount());
    String member = joined.getMemberId();
    CommitOffsetsResponse ok = commit(c, "zombies", member, joined.getMemberEpoch(), 2, 17);
    assertEquals(ErrorCode.NONE, ok.getError().getCode(), ok.toString());
    var fetched =
        c.fetchOffsets(
            FetchOffsetsRequest.newBuilder()
                .setGroupId("zombies")
                .addPartitions(TopicPartitions.newBuilder().setTopic("orders").addPartitions(2))
                .build());
    assertEquals(17, fetched.getPartitions(0).getOffset());
    assertEquals("m17", fetched.getPartitions(0).getMetadata());

    // The member stops heartbeating: after the session timeout it is a zombie.
    TestCluster.await(
        Duration.ofSeconds(20),
        () ->
            describe(c, "zombies").getMembersCount() == 0,
        () -> describe(c, "zombies").toString());
    CommitOffsetsResponse rejected = commit(c, "zombies", member, joined.getMemberEpoch(), 2, 99);
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, rejected.getError().getCode());
    ConsumerGroupHeartbeatResponse hb =
        c.consumerGroupHeartbeat(
            ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("zombies")
                .setMemberId(member)
                .setMemberEpoch(joined.getMemberEpoch())
                .addSubscribedTopics("orders")
                .build());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, hb.getError().getCode());
    assertEquals(17, describe(c, "zombies").getOffsetsList().stream()
        .filter(l -> l.getPartition() == 2).findFirst().orElseThrow().getCommittedOffset());
  }

  @Test
  void describeListAndResetAnEmptyGroup() {
    KeelClientBlockingStub c = coordinator("admin-group");
    ConsumerGroupHeartbeatResponse joined = join(c, "admin-group");
    assertEquals(ErrorCode.NONE, joined.getError().getCode());
    ResetOffsetsResponse refused = c.resetOffsets(reset("admin-group", 5));
    assertEquals(ErrorCode.GROUP_NOT_EMPTY, refused.getError().getCode());
    GroupDescription d = describe(c, "admin-group");
    assertEquals(1, d.getMembersCount());
    assertNotEquals(0, d.getCoordinator().getId());
    c.leaveGroup(
        io.keel.proto.LeaveGroupRequest.newBuilder()
            .setGroupId("admin-group")
            .setMemberId(joined.getMemberId())
            .setMemberEpoch(-1)
            .build());
    ResetOffsetsResponse reset = c.resetOffsets(reset("admin-group", 5));
    assertEquals(ErrorCode.NONE, reset.getError().getCode(), reset.toString());
    assertEquals(4, reset.getPartitionsCount());
    assertEquals(5, reset.getPartitions(0).getNewOffset());
    assertEquals(5, describe(c, "admin-group").getOffsets(1).getCommittedOffset());
    assertTrue(
        anyNode().listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList().stream()
            .anyMatch(g -> g.getGroupId().equals("admin-group")));
    var deleted =
        c.deleteGroups(
            io.keel.proto.DeleteGroupsRequest.newBuilder().addGroupIds("admin-group").build());
    assertEquals(ErrorCode.NONE, deleted.getResults(0).getError().getCode());
    assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, describe(c, "admin-group").getError().getCode());
  }

  private static ResetOffsetsRequest reset(String groupId, long offset) {
    return ResetOffsetsRequest.newBuilder()
        .setGroupId(groupId)
        .setTopic("orders")
        .setSpec(OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.EXACT).setOffset(offset))
        .build();
  }

  static GroupDescription describe(KeelClientBlockingStub c, String groupId) {
    return c.describeGroups(DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build())
        .getGroups(0);
  }
}
