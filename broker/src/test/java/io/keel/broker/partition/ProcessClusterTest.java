package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.broker.testing.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Three nodes as separate processes; the partition leader is killed with SIGKILL. */
class ProcessClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String TOPIC = "events";

  private static void produce(
      RetryingClient client, long producerId, int firstBatch, int batches, List<String> acked) {
    for (int b = firstBatch; b < firstBatch + batches; b++) {
      List<String> values = List.of("e" + (2 * b), "e" + (2 * b + 1));
      long offset = client.produce(TOPIC, 0, RetryingClient.batch(producerId, 2 * b, values));
      assertEquals(2L * b, offset);
      acked.addAll(values);
    }
  }

  @Test
  void acknowledgedRecordsSurviveSigkillOfTheLeaderProcess() throws Exception {
    try (ProcessCluster cluster = ProcessCluster.start(3);
        RetryingClient client = new RetryingClient(cluster.bootstrap(), WAIT)) {
      for (int id = 1; id <= 3; id++) {
        cluster.awaitReady(id, 1, WAIT);
      }
      client.createTopic(TOPIC, 1, 3);
      long producerId = client.initProducerId();
      List<String> acked = new ArrayList<>();
      produce(client, producerId, 0, 10, acked);

      int[] leader = {0};
      TestCluster.await(
          WAIT, () -> (leader[0] = client.leaderOf(TOPIC, 0)) != 0, () -> "no leader known");
      cluster.kill(leader[0]);
      produce(client, producerId, 10, 10, acked);

      cluster.startNode(leader[0]);
      cluster.awaitReady(leader[0], 2, WAIT);
      assertEquals(acked, client.readAll(TOPIC, 0));
    }
  }
}
