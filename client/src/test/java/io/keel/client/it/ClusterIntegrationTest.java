package io.keel.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.NewTopic;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.Serdes;
import io.keel.client.TopicExistsException;
import io.keel.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client against a real three-node cluster in this JVM (RocksDB, Raft, gRPC over loopback
 * sockets): bulk produce/consume, and a leader crash in the middle of a send storm.
 */
class ClusterIntegrationTest {
  private static final Logger log = LoggerFactory.getLogger(ClusterIntegrationTest.class);
  private static final int PARTITIONS = 3;

  private TestCluster cluster;

  @BeforeEach
  void setUp() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private void createTopic(String topic) {
    try (KeelAdmin admin =
        new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, 3))).all().join();
    } catch (CompletionException e) {
      // A create retried after a lost response finds its own topic (as with Kafka's admin).
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          for (int p = 0; p < PARTITIONS; p++) {
            if (cluster.leaderOf(topic, p) == 0) {
              return false;
            }
          }
          return true;
        },
        () -> "leaders of " + topic);
  }

  private KeelProducer<String, String> producer(boolean idempotence) {
    return new KeelProducer<>(
        KeelProducerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .idempotence(idempotence)
            .lingerMs(2)
            .retryBackoffMs(50)
            .requestTimeoutMs(5_000)
            .deliveryTimeoutMs(60_000)
            .build(),
        Serdes.stringSerializer(),
        Serdes.stringSerializer());
  }

  /** Every record of every partition, from the beginning, until {@code atLeast} arrived. */
  private Map<Integer, List<String>> consumeAll(String topic, int atLeast) {
    Map<Integer, List<String>> byPartition = new HashMap<>();
    try (KeelConsumer<String, String> consumer =
        new KeelConsumer<>(
            KeelConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .autoOffsetReset(AutoOffsetReset.EARLIEST)
                .fetchMaxWaitMs(100)
                .build(),
            Serdes.stringDeserializer(),
            Serdes.stringDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        all.add(new TopicPartition(topic, p));
        byPartition.put(p, new ArrayList<>());
      }
      consumer.assign(all);
      int count = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (count < atLeast && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          byPartition.get(r.partition()).add(r.value());
          count++;
        }
      }
      // Drain anything beyond atLeast (duplicates, unacknowledged but written records).
      for (int empty = 0; empty < 3; ) {
        var records = consumer.poll(Duration.ofMillis(300));
        empty = records.isEmpty() ? empty + 1 : 0;
        records.forEach(r -> byPartition.get(r.partition()).add(r.value()));
      }
    }
    return byPartition;
  }

  @Test
  void thousandsOfRecordsRoundTripInOrderPerPartition() {
    createTopic("bulk");
    int n = 3_000;
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    try (KeelProducer<String, String> producer = producer(true)) {
      for (int i = 0; i < n; i++) {
        acks.add(
            producer.send(new ProducerRecord<>("bulk", "key-" + i % 50, String.format("%06d", i))));
      }
      producer.flush();
      acks.forEach(CompletableFuture::join);
    }
    Map<Integer, List<String>> consumed = consumeAll("bulk", n);
    int total = consumed.values().stream().mapToInt(List::size).sum();
    assertEquals(n, total);
    consumed.forEach((p, values) -> assertIncreasing(p, values));
  }

  @Test
  void leaderCrashMidStormLosesAndDuplicatesNothingWithIdempotence() throws Exception {
    Storm storm = sendStorm("storm-idem", true);
    Map<Integer, List<String>> consumed = consumeAll("storm-idem", storm.acked.size());
    List<String> all = consumed.values().stream().flatMap(List::stream).toList();
    assertEquals(all.size(), all.stream().distinct().count(), "no record is consumed twice");
    assertTrue(all.containsAll(storm.acked), "every acknowledged record is consumed");
    consumed.forEach((p, values) -> assertIncreasing(p, values));
    log.info(
        "idempotent storm: {} sent, {} acknowledged, {} consumed, crashed node {}",
        storm.sent,
        storm.acked.size(),
        all.size(),
        storm.crashed);
  }

  @Test
  void withoutIdempotenceALeaderCrashMayDuplicateButLosesNothing() throws Exception {
    Storm storm = sendStorm("storm-plain", false);
    Map<Integer, List<String>> consumed = consumeAll("storm-plain", storm.acked.size());
    List<String> all = consumed.values().stream().flatMap(List::stream).toList();
    assertTrue(all.containsAll(storm.acked), "every acknowledged record is consumed");
    log.info(
        "non-idempotent storm: {} acknowledged, {} consumed, {} duplicates",
        storm.acked.size(),
        all.size(),
        all.size() - all.stream().distinct().count());
  }

  private record Storm(int sent, List<String> acked, int crashed) {}

  /**
   * Sends records "partition:index" round-robin over the partitions (acks=all), and crashes the
   * leader of partition 0 once a third of them are acknowledged.
   */
  private Storm sendStorm(String topic, boolean idempotence) throws Exception {
    createTopic(topic);
    int n = 3_000;
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    List<String> values = new ArrayList<>();
    int crashed = 0;
    try (KeelProducer<String, String> producer = producer(idempotence)) {
      for (int i = 0; i < n; i++) {
        int p = i % PARTITIONS;
        String value = p + ":" + String.format("%06d", i);
        values.add(value);
        futures.add(producer.send(new ProducerRecord<>(topic, p, null, value)));
        if (i == n / 3) {
          futures.get(i).get(60, TimeUnit.SECONDS);
          crashed = cluster.leaderOf(topic, 0);
          log.info("crashing node {}, leader of {}-0", crashed, topic);
          cluster.stopNode(crashed);
        }
      }
      producer.flush();
    }
    List<String> acked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!futures.get(i).isCompletedExceptionally()) {
        acked.add(values.get(i));
      }
    }
    assertTrue(acked.size() > n / 3, "the producer kept going after the crash: " + acked.size());
    return new Storm(n, acked, crashed);
  }

  private static void assertIncreasing(int partition, List<String> values) {
    for (int i = 1; i < values.size(); i++) {
      assertTrue(
          values.get(i - 1).compareTo(values.get(i)) < 0,
          "partition "
              + partition
              + " out of order at "
              + i
              + ": "
              + values.get(i - 1)
              + " then "
              + values.get(i));
    }
  }
}
