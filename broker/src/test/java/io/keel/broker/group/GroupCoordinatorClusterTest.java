package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.GroupDescription;
import io.keel.proto.KeelClientGrpc.KeelClientBlockingStub;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.OffsetSpec;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.ResetOffsetsResponse;
import io.keel.proto.TopicPartitions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
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
  private static RawGroupClient client;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, GROUP_SETTINGS);
    cluster.awaitReady(Duration.ofSeconds(30));
    assertEquals(ErrorCode.NONE, cluster.createTopic("orders", 4, 3).getError().getCode());
    client = new RawGroupClient(cluster);
  }

  private static <T> T call(
      String groupId, Function<KeelClientBlockingStub, T> rpc, Function<T, ErrorCode> code) {
    return client.call(groupId, rpc, code);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
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
    String g = "zombies";
    ConsumerGroupHeartbeatResponse joined = call(g, c -> join(c, g), r -> r.getError().getCode());
    assertEquals(ErrorCode.NONE, joined.getError().getCode(), joined.toString());
    assertEquals(100, joined.getHeartbeatIntervalMs());
    assertTrue(joined.getMemberEpoch() > 0);
    assertEquals(4, joined.getAssignment().getPartitions(0).getPartitionsCount());
    String member = joined.getMemberId();
    int epoch = joined.getMemberEpoch();
    CommitOffsetsResponse ok =
        call(g, c -> commit(c, g, member, epoch, 2, 17), r -> r.getError().getCode());
    assertEquals(ErrorCode.NONE, ok.getError().getCode(), ok.toString());
    var fetched =
        call(
            g,
            c ->
                c.fetchOffsets(
                    FetchOffsetsRequest.newBuilder()
                        .setGroupId(g)
                        .addPartitions(
                            TopicPartitions.newBuilder().setTopic("orders").addPartitions(2))
                        .build()),
            r -> r.getError().getCode());
    assertEquals(17, fetched.getPartitions(0).getOffset());
    assertEquals("m17", fetched.getPartitions(0).getMetadata());
    // The coordinator exports the group's lag per partition to Prometheus.
    TestCluster.await(
        Duration.ofSeconds(15),
        () ->
            cluster.runningNodes().stream()
                .map(id -> cluster.node(id).metrics().scrape())
                .anyMatch(
                    text ->
                        text.lines()
                            .anyMatch(
                                l ->
                                    l.startsWith("keel_consumer_group_lag{")
                                        && l.contains("group=\"zombies\"")
                                        && l.contains("partition=\"2\"")
                                        && l.contains("topic=\"orders\""))),
        () -> "no keel_consumer_group_lag for zombies");

    // The member stops heartbeating: after the session timeout it is a zombie.
    TestCluster.await(
        Duration.ofSeconds(20),
        () ->
            describe(g).getError().getCode() == ErrorCode.NONE
                && describe(g).getMembersCount() == 0,
        () -> describe(g).toString());
    CommitOffsetsResponse rejected =
        call(g, c -> commit(c, g, member, epoch, 2, 99), r -> r.getError().getCode());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, rejected.getError().getCode());
    ConsumerGroupHeartbeatResponse hb =
        call(
            g,
            c ->
                c.consumerGroupHeartbeat(
                    ConsumerGroupHeartbeatRequest.newBuilder()
                        .setGroupId(g)
                        .setMemberId(member)
                        .setMemberEpoch(epoch)
                        .addSubscribedTopics("orders")
                        .build()),
            r -> r.getError().getCode());
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, hb.getError().getCode());
    assertEquals(
        17,
        describe(g).getOffsetsList().stream()
            .filter(l -> l.getPartition() == 2)
            .findFirst()
            .orElseThrow()
            .getCommittedOffset());
  }

  @Test
  void describeListAndResetAnEmptyGroup() {
    String g = "admin-group";
    ConsumerGroupHeartbeatResponse joined = call(g, c -> join(c, g), r -> r.getError().getCode());
    assertEquals(ErrorCode.NONE, joined.getError().getCode());
    ResetOffsetsResponse refused =
        call(g, c -> c.resetOffsets(reset(g, 5)), r -> r.getError().getCode());
    assertEquals(ErrorCode.GROUP_NOT_EMPTY, refused.getError().getCode());
    GroupDescription d = describe(g);
    assertEquals(1, d.getMembersCount());
    assertNotEquals(0, d.getCoordinator().getId());
    var left =
        call(
            g,
            c ->
                c.leaveGroup(
                    io.keel.proto.LeaveGroupRequest.newBuilder()
                        .setGroupId(g)
                        .setMemberId(joined.getMemberId())
                        .setMemberEpoch(-1)
                        .build()),
            r -> r.getError().getCode());
    assertEquals(ErrorCode.NONE, left.getError().getCode());
    ResetOffsetsResponse reset =
        call(g, c -> c.resetOffsets(reset(g, 5)), r -> r.getError().getCode());
    assertEquals(ErrorCode.NONE, reset.getError().getCode(), reset.toString());
    assertEquals(4, reset.getPartitionsCount());
    assertEquals(5, reset.getPartitions(0).getNewOffset());
    assertEquals(5, describe(g).getOffsets(1).getCommittedOffset());
    assertTrue(
        client.anyNode().listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList().stream()
            .anyMatch(l -> l.getGroupId().equals(g)));
    var deleted =
        call(
            g,
            c ->
                c.deleteGroups(
                    io.keel.proto.DeleteGroupsRequest.newBuilder().addGroupIds(g).build()),
            r -> r.getResults(0).getError().getCode());
    assertEquals(ErrorCode.NONE, deleted.getResults(0).getError().getCode());
    assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, describe(g).getError().getCode());
  }

  private static ResetOffsetsRequest reset(String groupId, long offset) {
    return ResetOffsetsRequest.newBuilder()
        .setGroupId(groupId)
        .setTopic("orders")
        .setSpec(OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.EXACT).setOffset(offset))
        .build();
  }

  static GroupDescription describe(String groupId) {
    return call(
        groupId,
        c ->
            c.describeGroups(DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build())
                .getGroups(0),
        d -> d.getError().getCode());
  }
}
