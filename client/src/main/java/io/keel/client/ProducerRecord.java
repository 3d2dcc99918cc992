package io.keel.client;

import java.util.List;
import java.util.Objects;

/**
 * A record to send.
 *
 * @param partition explicit partition, or null to partition by key (murmur2, like Kafka) or, for a
 *     null key, with the sticky partitioner
 * @param timestamp create time in epoch milliseconds, or null for the producer's clock
 */
public record ProducerRecord<K, V>(
    String topic, Integer partition, K key, V value, List<Header> headers, Long timestamp) {
  public ProducerRecord {
    Objects.requireNonNull(topic, "topic");
    if (partition != null && partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
    headers = headers == null ? List.of() : List.copyOf(headers);
  }

  public ProducerRecord(String topic, K key, V value) {
    this(topic, null, key, value, List.of(), null);
  }

  public ProducerRecord(String topic, Integer partition, K key, V value) {
    this(topic, partition, key, value, List.of(), null);
  }
}
