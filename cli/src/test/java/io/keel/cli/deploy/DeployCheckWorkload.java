package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.Serdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A little real traffic, so that the metrics which exist only once there is some do exist: records
 * produced to a topic, and a consumer group that reads some of them and commits its offsets (then
 * more records arrive, so the group has lag).
 */
final class DeployCheckWorkload {
  static final String GROUP = "deploy-check-group";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private DeployCheckWorkload() {}

  static void run(String bootstrap, String topic, int records) throws Exception {
    produce(bootstrap, topic, records);
    consumeAndCommit(bootstrap, topic, records);
    produce(bootstrap, topic, records);
  }

  private static void produce(String bootstrap, String topic, int records) throws Exception {
    KeelProducerConfig config = KeelProducerConfig.builder().bootstrap(bootstrap).build();
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(config, Serdes.stringSerializer(), Serdes.stringSerializer())) {
      List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        sent.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
      }
      for (CompletableFuture<RecordMetadata> future : sent) {
        future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  /** Reads every record produced so far in the group, then commits: the first {@code records}. */
  private static void consumeAndCommit(String bootstrap, String topic, int records) {
    KeelConsumerConfig config =
        KeelConsumerConfig.builder()
            .bootstrap(bootstrap)
            .set(KeelConsumerConfig.GROUP_ID, GROUP)
            .set(KeelConsumerConfig.AUTO_OFFSET_RESET, "earliest")
            .set(KeelConsumerConfig.ENABLE_AUTO_COMMIT, false)
            .build();
    try (KeelConsumer<String, String> consumer =
        new KeelConsumer<>(config, Serdes.stringDeserializer(), Serdes.stringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      // Distinct keys: a redelivered record must not stand in for one not yet read.
      Set<String> keys = new HashSet<>();
      while (keys.size() < records && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(r.key()));
      }
      assertEquals(records, keys.size(), "records the group read within " + TIMEOUT);
      consumer.commitSync();
    }
  }
}
