package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.KeelClientGrpc.KeelClientBlockingStub;
import io.keel.proto.TopicPartitions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fencing of zombies: fetches as a group member are checked against the coordinator (from every
 * node, so both the local and the remote check run), and a member that never revokes is removed
 * after its rebalance timeout.
 */
class GroupFencingClusterTest {
  private static TestCluster cluster;
  private static RawGroupClient client;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, GroupCoordinatorClusterTest.GROUP_SETTINGS);
    cluster.awaitReady(Duration.ofSeconds(30));
    assertEquals(ErrorCode.NONE, cluster.createTopic("orders", 4, 3).getError().getCode());
    client = new RawGroupClient(cluster);
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

  private static <T> T call(
      String groupId, Function<KeelClientBlockingStub, T> rpc, Function<T, ErrorCode> code) {
    return client.call(groupId, rpc, code);
  }

  private static ConsumerGroupHeartbeatResponse heartbeat(
      String groupId, String memberId, int epoch, int rebalanceTimeoutMs, List<Integer> owned) {
    ConsumerGroupHeartbeatRequest.Builder req =
        ConsumerGroupHeartbeatRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberId(memberId)
            .setMemberEpoch(epoch)
            .setClientId("raw")
            .setRebalanceTimeoutMs(rebalanceTimeoutMs)
            .addSubscribedTopics("orders");
    if (!owned.isEmpty()) {
      req.addOwnedPartitions(
          TopicPartitions.newBuilder().setTopic("orders").addAllPartitions(owned));
    }
    return call(groupId, c -> c.consumerGroupHeartbeat(req.build()), r -> r.getError().getCode());
  }

  private static List<Integer> partitions(ConsumerGroupHeartbeatResponse r) {
    return r.getAssignment().getPartitionsList().stream()
        .flatMap(t -> t.getPartitionsList().stream())
        .sorted()
        .toList();
  }

  /** The request-level error of a group fetch of orders-0 sent to {@code nodeId}. */
  private static ErrorCode fetchAs(int nodeId, String groupId, String memberId, int epoch) {
    FetchRequest.Builder req =
        FetchRequest.newBuilder()
            .setMaxWaitMs(0)
            .addPartitions(
                FetchPartition.newBuilder()
                    .setTopic("orders")
                    .setPartition(0)
                    .setFetchOffset(0)
                    .setCurrentLeaderEpoch(-1));
    if (groupId != null) {
      req.setGroupId(groupId).setMemberId(memberId).setMemberEpoch(epoch);
    }
    FetchResponse r = client.node(nodeId).fetch(req.build());
    return r.getError().getCode();
  }

  /** Waits until a fetch as (member, epoch) sent to {@code node} gets {@code expected}. */
  private static void awaitFetch(
      int node, String g, String member, int epoch, ErrorCode expected, Runnable keepAlive) {
    TestCluster.await(
        Duration.ofSeconds(10),
        () -> {
          keepAlive.run();
          return fetchAs(node, g, member, epoch) == expected;
        },
        () ->
            "node " + node + " answered " + fetchAs(node, g, member, epoch) + ", not " + expected);
  }

  @Test
  void fetchesOfAFencedMemberAreRejectedOnEveryNode() {
    String g = "fetch-fence";
    ConsumerGroupHeartbeatResponse joined = heartbeat(g, "", 0, 30_000, List.of());
    assertEquals(ErrorCode.NONE, joined.getError().getCode(), joined.toString());
    String member = joined.getMemberId();
    int epoch = joined.getMemberEpoch();
    List<Integer> owned = partitions(joined);
    Runnable keepAlive =
        () -> {
          ConsumerGroupHeartbeatResponse r = heartbeat(g, member, epoch, 30_000, owned);
          assertEquals(ErrorCode.NONE, r.getError().getCode(), r.toString());
        };
    for (int node : cluster.runningNodes()) {
      // A live member passes the check (coordinator local or remote); others are refused. The
      // member keeps heartbeating, and a coordinator move (COORDINATOR_LOADING) is waited out.
      awaitFetch(node, g, member, epoch, ErrorCode.NONE, keepAlive);
      awaitFetch(node, g, "ghost", 1, ErrorCode.UNKNOWN_MEMBER_ID, keepAlive);
      awaitFetch(node, g, member, epoch + 7, ErrorCode.FENCED_MEMBER_EPOCH, keepAlive);
    }
    // The member stops heartbeating; once its session expires, its fetches are refused within
    // the positive-answer TTL.
    TestCluster.await(
        Duration.ofSeconds(20),
        () ->
            cluster.runningNodes().stream()
                .allMatch(n -> fetchAs(n, g, member, epoch) == ErrorCode.UNKNOWN_MEMBER_ID),
        () -> "zombie still fetches: " + fetchAs(cluster.runningNodes().get(0), g, member, epoch));
    // Fetches outside a group are not checked.
    for (int node : cluster.runningNodes()) {
      assertEquals(ErrorCode.NONE, fetchAs(node, null, "", 0));
    }
  }

  @Test
  void memberThatNeverRevokesIsFencedAfterItsRebalanceTimeout() {
    String g = "slow-revoker";
    ConsumerGroupHeartbeatResponse a = heartbeat(g, "", 0, 500, List.of());
    assertEquals(ErrorCode.NONE, a.getError().getCode(), a.toString());
    assertEquals(List.of(0, 1, 2, 3), partitions(a));
    String memberA = a.getMemberId();
    int epochA = a.getMemberEpoch();
    ConsumerGroupHeartbeatResponse b = heartbeat(g, "", 0, 30_000, List.of());
    assertEquals(ErrorCode.NONE, b.getError().getCode(), b.toString());
    String memberB = b.getMemberId();
    AtomicReference<ConsumerGroupHeartbeatResponse> lastA = new AtomicReference<>(a);
    AtomicReference<ConsumerGroupHeartbeatResponse> lastB = new AtomicReference<>(b);
    // A keeps heartbeating (its session never expires) but always reports owning all four.
    long started = System.nanoTime();
    TestCluster.await(
        Duration.ofSeconds(15),
        () -> {
          if (lastA.get().getError().getCode() == ErrorCode.NONE) {
            lastA.set(heartbeat(g, memberA, epochA, 500, List.of(0, 1, 2, 3)));
          }
          ConsumerGroupHeartbeatResponse prev = lastB.get();
          lastB.set(heartbeat(g, memberB, prev.getMemberEpoch(), 30_000, partitions(prev)));
          return lastA.get().getError().getCode() == ErrorCode.UNKNOWN_MEMBER_ID
              && partitions(lastB.get()).size() == 4;
        },
        () -> "A: " + lastA.get() + " B: " + lastB.get());
    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).toMillis() >= 500,
        "A was fenced before its rebalance timeout");
    var described =
        call(
            g,
            c -> c.describeGroups(DescribeGroupsRequest.newBuilder().addGroupIds(g).build()),
            r -> r.getGroups(0).getError().getCode());
    assertEquals(1, described.getGroups(0).getMembersCount(), described.toString());
    assertEquals(memberB, described.getGroups(0).getMembers(0).getMemberId());
  }
}
