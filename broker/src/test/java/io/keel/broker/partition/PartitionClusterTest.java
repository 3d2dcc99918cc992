package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.DeleteTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProduceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Produce and fetch on three real nodes in this JVM, through failures and restarts. */
class PartitionClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "orders";

  /** Produces {@code batches} batches of two records, continuing the producer's sequence. */
  private static void produce(
      RetryingClient client, long producerId, int firstBatch, int batches, List<String> acked) {
    for (int b = firstBatch; b < firstBatch + batches; b++) {
      List<String> values = List.of("r" + (2 * b), "r" + (2 * b + 1));
      long offset = client.produce(TOPIC, 0, RetryingClient.batch(producerId, 2 * b, values));
      assertEquals(2L * b, offset, "batch " + b + " must land right after the previous one");
      acked.addAll(values);
    }
  }

  /** Creates the topic, retrying while the controller quorum is still settling. */
  private static void createTopic(TestCluster cluster, int partitions) {
    ErrorCode[] last = {ErrorCode.UNKNOWN};
    TestCluster.await(
        WAIT,
        () -> {
          last[0] = cluster.createTopic(TOPIC, partitions, 3).getError().getCode();
          return last[0] == ErrorCode.NONE || last[0] == ErrorCode.TOPIC_ALREADY_EXISTS;
        },
        () -> "topic not created: " + last[0]);
  }

  private static long highWatermarkOn(TestCluster cluster, int nodeId) {
    return cluster
        .node(nodeId)
        .partitions()
        .replica(TOPIC, 0)
        .orElseThrow()
        .onLoop(PartitionStateMachine::highWatermark)
        .join();
  }

  @Test
  void acknowledgedRecordsSurviveLeaderFailureRestartAndFullClusterRestart() {
    try (TestCluster cluster = TestCluster.start(3);
        RetryingClient client = new RetryingClient(cluster.bootstrap(), WAIT)) {
      cluster.awaitReady(WAIT);
      createTopic(cluster, 1);
      long producerId = client.initProducerId();
      List<String> acked = new ArrayList<>();
      produce(client, producerId, 0, 10, acked);
      assertEquals(acked, client.readAll(TOPIC, 0));

      int oldLeader = cluster.leaderOf(TOPIC, 0);
      cluster.stopNode(oldLeader);
      TestCluster.await(
          WAIT,
          () -> cluster.leaderOf(TOPIC, 0) != 0,
          () -> "no new leader after stopping node " + oldLeader);
      assertNotEquals(oldLeader, cluster.leaderOf(TOPIC, 0));
      produce(client, producerId, 10, 10, acked);

      cluster.restartNode(oldLeader);
      TestCluster.await(
          WAIT,
          () ->
              cluster.node(oldLeader).partitions().replica(TOPIC, 0).isPresent()
                  && highWatermarkOn(cluster, oldLeader) == acked.size(),
          () -> "restarted node " + oldLeader + " did not catch up to " + acked.size());

      for (int id : List.of(1, 2, 3)) {
        cluster.stopNode(id);
      }
      for (int id : List.of(1, 2, 3)) {
        cluster.restartNode(id);
      }
      cluster.awaitReady(WAIT);
      assertEquals(acked, client.readAll(TOPIC, 0));
      produce(client, producerId, 20, 1, acked);
      assertEquals(acked, client.readAll(TOPIC, 0));
    }
  }

  @Test
  void deletedTopicIsStoppedEverywhereAndAnsweredAsUnknown() {
    try (TestCluster cluster = TestCluster.start(3);
        RetryingClient client = new RetryingClient(cluster.bootstrap(), WAIT)) {
      cluster.awaitReady(WAIT);
      createTopic(cluster, 2);
      produce(client, client.initProducerId(), 0, 2, new ArrayList<>());

      String address = cluster.bootstrap().split(",")[0];
      ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
      try {
        KeelClientGrpc.KeelClientBlockingStub stub =
            KeelClientGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        var deleted = stub.deleteTopics(DeleteTopicsRequest.newBuilder().addTopics(TOPIC).build());
        assertEquals(ErrorCode.NONE, deleted.getResults(0).getError().getCode());
        TestCluster.await(
            WAIT,
            () ->
                cluster.runningNodes().stream()
                    .allMatch(id -> cluster.node(id).partitions().replicas().isEmpty()),
            () -> "partition replicas still running after delete");
        var answer =
            stub.produce(
                ProduceRequest.newBuilder()
                    .setAcks(-1)
                    .addPartitions(
                        ProducePartitionData.newBuilder()
                            .setTopic(TOPIC)
                            .setRecordBatch(
                                ByteString.copyFrom(RetryingClient.batch(-1, 0, List.of("late")))))
                    .build());
        ErrorCode code = answer.getPartitions(0).getError().getCode();
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, code);
        assertTrue(answer.getPartitions(0).getError().getMessage().contains(TOPIC));
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
