package io.keel.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer without idempotence, five batches in flight to one partition and no fault: the
 * partition stores its records in send order (Kafka reorders only on retries). Concurrent unary
 * Produce calls used to overtake each other on the broker (946 inversions in 20,361 records).
 */
class ProduceOrderTest {
  private static final Logger log = LoggerFactory.getLogger(ProduceOrderTest.class);
  private static final String TOPIC = "order";
  private static final int RECORDS = 24_000;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void oneProducersRecordsKeepSendOrderWithoutIdempotence() {
    try (TestCluster cluster = TestCluster.start(3)) {
      cluster.awaitReady(Duration.ofSeconds(30));
      try (KeelAdmin admin =
          new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, 3))).all().join();
      }
      TestCluster.await(
          Duration.ofSeconds(30), () -> cluster.leaderOf(TOPIC, 0) != 0, () -> "a leader");
      produceInOrder(cluster);
      List<Integer> stored = consumeAll(cluster);
      assertEquals(RECORDS, stored.size(), "records stored (no fault, so no loss or duplicate)");
      int inversions = 0;
      for (int i = 1; i < stored.size(); i++) {
        if (stored.get(i) < stored.get(i - 1)) {
          inversions++;
        }
      }
      log.info("{} records, {} inversions", stored.size(), inversions);
      assertEquals(0, inversions, "records stored before a record sent earlier");
    }
  }

  private static void produceInOrder(TestCluster cluster) {
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .idempotence(false)
            .maxInFlightPerPartition(5)
            .lingerMs(0)
            .batchSizeBytes(1024)
            .build();
    List<CompletableFuture<?>> acks = new ArrayList<>(RECORDS);
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(config, Serdes.stringSerializer(), Serdes.stringSerializer())) {
      for (int i = 0; i < RECORDS; i++) {
        acks.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, Integer.toString(i))));
      }
      producer.flush();
    }
    acks.forEach(CompletableFuture::join);
  }

  private static List<Integer> consumeAll(TestCluster cluster) {
    List<Integer> values = new ArrayList<>(RECORDS);
    KeelConsumerConfig config =
        KeelConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .autoOffsetReset(AutoOffsetReset.EARLIEST)
            .fetchMaxWaitMs(100)
            .build();
    try (KeelConsumer<String, String> consumer =
        new KeelConsumer<>(config, Serdes.stringDeserializer(), Serdes.stringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < RECORDS && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(Integer.parseInt(r.value()));
        }
      }
    }
    return values;
  }
}
