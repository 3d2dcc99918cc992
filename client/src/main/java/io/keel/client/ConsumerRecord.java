package io.keel.client;

import java.util.List;

/** A record read from a partition. Immutable. */
public record ConsumerRecord<K, V>(
    String topic,
    int partition,
    long offset,
    long timestamp,
    K key,
    V value,
    List<Header> headers) {
  public ConsumerRecord {
    headers = List.copyOf(headers);
  }

  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }
}
