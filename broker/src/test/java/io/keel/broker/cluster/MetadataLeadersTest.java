package io.keel.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import io.keel.proto.PartitionDescription;
import io.keel.proto.PartitionMetadata;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.TopicMetadata;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Partition leaders as the client API reports them: every node's Metadata answer names the leader
 * of every partition (including partitions it does not host), a controller failover does not make
 * known leaders unknown, and NOT_LEADER from a follower names the Raft leader and its term.
 */
@Timeout(120)
class MetadataLeadersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "hints";
  private static final int PARTITIONS = 6;
  private TestCluster cluster;
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();

  @BeforeEach
  void start() {
    // Heartbeats slower than the tests' default leave a new controller time to answer some
    // nodes before the leaders of their partitions have reported.
    cluster = TestCluster.start(4, Map.of("broker.heartbeat.interval.ms", "300"));
    cluster.awaitReady(WAIT);
    // RF 2 of 4: each partition has nodes that do not host it and know its leader only through
    // the controller.
    assertEquals(ErrorCode.NONE, cluster.createTopic(TOPIC, PARTITIONS, 2).getError().getCode());
    TestCluster.await(
        WAIT,
        () -> allAgreeOnRaftLeaders(List.of(0, 1, 2, 3, 4, 5)),
        () -> "nodes disagree: " + answers());
  }

  @AfterEach
  void stop() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    cluster.close();
  }

  @Test
  void controllerFailoverNeverMakesAKnownLeaderUnknown() {
    int controller = cluster.controllerLeader();
    // Partitions that do not live on the controller keep their leaders through its loss (the
    // others lose their quorum: RF 2).
    List<Integer> untouched = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      if (cluster.leaderOf(TOPIC, p) != controller && !replicas(p).contains(controller)) {
        untouched.add(p);
      }
    }
    cluster.stopNode(controller);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until || cluster.controllerLeader() == 0) {
      for (int node : cluster.runningNodes()) {
        MetadataResponse r = metadata(node);
        for (int p : untouched) {
          assertNotEquals(
              0,
              leader(r, p).getLeaderId(),
              "node " + node + " lost the leader of " + p + ": " + r);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // sampling period, not a wait
    }
    TestCluster.await(
        WAIT, () -> allAgreeOnRaftLeaders(untouched), () -> "nodes disagree: " + answers());
  }

  @Test
  void notLeaderFromAFollowerNamesTheRaftLeaderAndItsTerm() {
    int leader = cluster.leaderOf(TOPIC, 0);
    int follower = replicas(0).stream().filter(id -> id != leader).findFirst().orElseThrow();
    long term = cluster.node(leader).runtime().group(groupId(0)).term();

    ErrorDetail error =
        stub(follower)
            .produce(
                ProduceRequest.newBuilder()
                    .setAcks(-1)
                    .addPartitions(
                        ProducePartitionData.newBuilder()
                            .setTopic(TOPIC)
                            .setPartition(0)
                            .setRecordBatch(ByteString.copyFrom(oneRecord())))
                    .build())
            .getPartitions(0)
            .getError();

    assertEquals(ErrorCode.NOT_LEADER, error.getCode(), error.toString());
    assertEquals(leader, error.getLeader().getLeaderId(), error.toString());
    assertEquals(term, error.getLeader().getLeaderEpoch(), error.toString());
    assertEquals(
        cluster.node(leader).clientAddress().port(), error.getLeader().getPort(), error.toString());
  }

  @Test
  void describeTopicsFromAnyNodeReportsTheLeadersOffsetsAndLaggingReplicas() {
    assertEquals(ErrorCode.NONE, cluster.createTopic("described", 1, 3).getError().getCode());
    TestCluster.await(
        WAIT, () -> cluster.leaderOf("described", 0) != 0, () -> "no leader for described-0");
    int leader = cluster.leaderOf("described", 0);
    List<Integer> replicas =
        cluster.node(leader).metadata().topic("described").orElseThrow().replicas(0);
    int outsider =
        cluster.runningNodes().stream()
            .filter(id -> !replicas.contains(id))
            .findFirst()
            .orElseThrow();
    for (int i = 0; i < 3; i++) {
      assertEquals(ErrorCode.NONE, produceOne(leader, "described").getError().getCode());
    }
    TestCluster.await(
        WAIT,
        () -> {
          PartitionDescription d = describe(outsider);
          return d.getHighWatermark() == 3 && d.getInSyncReplicasCount() == 3;
        },
        () -> "node " + outsider + " describes " + describe(outsider));
    PartitionDescription d = describe(outsider);
    assertEquals(0, d.getLogStartOffset(), d.toString());
    assertEquals(3, d.getLogEndOffset(), d.toString());

    int follower = replicas.stream().filter(id -> id != leader).findFirst().orElseThrow();
    cluster.stopNode(follower);
    int acked = produceAtTheLeader("described");
    TestCluster.await(
        WAIT,
        () -> describe(outsider).getReplicaLagOrDefault(follower, 0) > 0,
        () -> "node " + outsider + " describes " + describe(outsider));
    d = describe(outsider);
    // 4, or 5 if a NOT_LEADER attempt had been appended before the leader changed and committed.
    assertTrue(d.getHighWatermark() >= 4, d.toString());
    assertFalse(d.getInSyncReplicasList().contains(follower), d.toString());
    assertTrue(d.getInSyncReplicasList().contains(acked), d.toString());
  }

  /**
   * Produces one record at whichever node leads now (a stopped node may have been the controller,
   * or the leader balancer may move the leadership meanwhile); returns the node that acknowledged.
   */
  private int produceAtTheLeader(String topic) {
    int[] acked = {0};
    String[] last = {"no attempt"};
    TestCluster.await(
        WAIT,
        () -> {
          int at = cluster.leaderOf(topic, 0);
          if (at == 0) {
            return false;
          }
          ProducePartitionResponse r = produceOne(at, topic);
          last[0] = "node " + at + ": " + r.getError();
          if (r.getError().getCode() == ErrorCode.NONE) {
            acked[0] = at;
            return true;
          }
          assertEquals(ErrorCode.NOT_LEADER, r.getError().getCode(), last[0]);
          return false;
        },
        () -> "no acknowledged produce; last " + last[0]);
    return acked[0];
  }

  private PartitionDescription describe(int node) {
    DescribeTopicsResponse r =
        stub(node)
            .describeTopics(DescribeTopicsRequest.newBuilder().addTopics("described").build());
    return r.getTopics(0).getPartitions(0);
  }

  private ProducePartitionResponse produceOne(int node, String topic) {
    return stub(node)
        .produce(
            ProduceRequest.newBuilder()
                .setAcks(-1)
                .addPartitions(
                    ProducePartitionData.newBuilder()
                        .setTopic(topic)
                        .setPartition(0)
                        .setRecordBatch(ByteString.copyFrom(oneRecord())))
                .build())
        .getPartitions(0);
  }

  private static byte[] oneRecord() {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    b.append(1_000, null, "x".getBytes(StandardCharsets.UTF_8));
    return b.build();
  }

  private boolean allAgreeOnRaftLeaders(List<Integer> partitions) {
    for (int p : partitions) {
      int raftLeader = cluster.leaderOf(TOPIC, p);
      if (raftLeader == 0) {
        return false;
      }
      long term = cluster.node(raftLeader).runtime().group(groupId(p)).term();
      for (int node : cluster.runningNodes()) {
        PartitionMetadata m = leader(metadata(node), p);
        if (m.getLeaderId() != raftLeader || m.getLeaderEpoch() != term) {
          return false;
        }
      }
    }
    return true;
  }

  private String answers() {
    StringBuilder b = new StringBuilder();
    for (int node : cluster.runningNodes()) {
      b.append("\nnode ").append(node).append(": ");
      for (int p = 0; p < PARTITIONS; p++) {
        PartitionMetadata m = leader(metadata(node), p);
        b.append(p).append("->").append(m.getLeaderId()).append('@').append(m.getLeaderEpoch());
        b.append(" (raft ").append(cluster.leaderOf(TOPIC, p)).append(") ");
      }
    }
    // Each replica's own view, so a partition without a leader shows why (no group, split terms).
    for (int p = 0; p < PARTITIONS; p++) {
      b.append("\npartition ").append(p).append(" replicas:");
      for (int node : replicas(p)) {
        RaftGroup g =
            cluster.runningNodes().contains(node)
                ? cluster.node(node).runtime().group(groupId(p))
                : null;
        b.append(" node ").append(node);
        b.append(
            g == null
                ? " (no group)"
                : " (term %d, leader %d, commit %d, applied %d, voters %s)"
                    .formatted(
                        g.term(), g.leaderId(), g.commitIndex(), g.appliedIndex(), g.membership()));
      }
    }
    return b.toString();
  }

  private List<Integer> replicas(int partition) {
    int any = cluster.runningNodes().get(0);
    return cluster.node(any).metadata().topic(TOPIC).orElseThrow().replicas(partition);
  }

  private long groupId(int partition) {
    int any = cluster.runningNodes().get(0);
    return cluster.node(any).metadata().topic(TOPIC).orElseThrow().groupId(partition);
  }

  private MetadataResponse metadata(int node) {
    return stub(node).metadata(MetadataRequest.newBuilder().addTopics(TOPIC).build());
  }

  private static PartitionMetadata leader(MetadataResponse r, int partition) {
    TopicMetadata t = r.getTopicsList().get(0);
    assertTrue(t.getPartitionsCount() > partition, r.toString());
    return t.getPartitions(partition);
  }

  private KeelClientGrpc.KeelClientBlockingStub stub(int node) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            node,
            id ->
                NettyChannelBuilder.forAddress("127.0.0.1", cluster.node(id).clientAddress().port())
                    .usePlaintext()
                    .build());
    return KeelClientGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }
}
