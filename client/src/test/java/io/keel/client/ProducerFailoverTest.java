package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.keel.client.testing.FakeKeelCluster;
import io.keel.proto.records.Record;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A produce in flight to a leader that stops answering goes to its successor, once. */
@Timeout(60)
class ProducerFailoverTest {
  private FakeKeelCluster cluster;
  private KeelProducer<String, String> producer;

  @BeforeEach
  void setUp() throws Exception {
    cluster = FakeKeelCluster.start(3);
    cluster.createTopic("t", 1);
    producer =
        new KeelProducer<>(
            KeelProducerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .retryBackoffMs(10)
                .requestTimeoutMs(30_000)
                .build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer(),
            cluster.channelFactory());
  }

  @AfterEach
  void tearDown() {
    producer.close(Duration.ofSeconds(5));
    cluster.close();
  }

  @Test
  void aSendWaitingOnAStoppedLeaderIsRetriedAtTheNewLeaderWellBeforeItsTimeout() throws Exception {
    producer.send(new ProducerRecord<>("t", 0, null, "before")).get(10, TimeUnit.SECONDS);
    int oldLeader = cluster.leaderOf("t", 0);
    cluster.pauseNode(oldLeader, true);
    CompletableFuture<RecordMetadata> waiting =
        producer.send(new ProducerRecord<>("t", 0, null, "during"));
    awaitProduceRequests(2);
    assertFalse(waiting.isDone(), "the paused leader answered");

    cluster.moveLeader("t", 0, oldLeader % 3 + 1);

    // request.timeout.ms is 30 s: only abandoning the request for the new leader is this quick.
    RecordMetadata md = waiting.get(10, TimeUnit.SECONDS);
    assertEquals(1, md.offset());
    cluster.pauseNode(oldLeader, false);
    List<String> values =
        cluster.records("t", 0).stream()
            .map(Record::value)
            .map(v -> new String(v, StandardCharsets.UTF_8))
            .toList();
    assertEquals(List.of("before", "during"), values);
  }

  private void awaitProduceRequests(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (cluster.produceRequests() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + cluster.produceRequests() + " produce requests");
      }
      Thread.sleep(5);
    }
  }
}
