package io.keel.client.examples;

import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.ConsumerRecords;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a topic's partitions from the beginning and commits what it processed. */
public final class ConsumerExample {
  private ConsumerExample() {}

  public static List<String> run(String bootstrap, String topic, int partitions, int expected) {
    KeelConsumerConfig config =
        KeelConsumerConfig.builder()
            .bootstrap(bootstrap)
            .groupId("example-readers")
            .autoOffsetReset(AutoOffsetReset.EARLIEST)
            .enableAutoCommit(false)
            .maxPollRecords(100)
            .build();
    List<String> values = new ArrayList<>();
    try (KeelConsumer<String, String> consumer =
        new KeelConsumer<>(config, Serdes.stringDeserializer(), Serdes.stringDeserializer())) {
      List<TopicPartition> assignment = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        assignment.add(new TopicPartition(topic, p));
      }
      consumer.assign(assignment);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> record : records) {
          values.add(record.value());
        }
        consumer.commitSync(); // the next reader of the group resumes after these records
      }
    }
    return values;
  }
}
