package io.keel.client.examples;

import io.keel.client.Acks;
import io.keel.client.CompressionType;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.Serdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Sends keyed records and waits for every acknowledgement. */
public final class ProducerExample {
  private ProducerExample() {}

  public static List<RecordMetadata> run(String bootstrap, String topic, int count) {
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(bootstrap)
            .acks(Acks.ALL) // the default: acknowledged once a Raft quorum has it on disk
            .lingerMs(5)
            .compression(CompressionType.LZ4)
            .build();
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(config, Serdes.stringSerializer(), Serdes.stringSerializer())) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        // Records with the same key go to the same partition (murmur2, as in Kafka).
        acks.add(producer.send(new ProducerRecord<>(topic, "customer-" + i % 10, "order " + i)));
      }
      producer.flush();
      List<RecordMetadata> written = new ArrayList<>();
      for (CompletableFuture<RecordMetadata> ack : acks) {
        written.add(ack.join()); // throws CompletionException if the record was not written
      }
      producer.close(Duration.ofSeconds(10));
      return written;
    }
  }
}
