package io.keel.client;

/**
 * Where an acknowledged record landed.
 *
 * @param offset the record's offset, or -1 with acks=0 (the broker does not report it)
 * @param timestamp the record's timestamp in epoch milliseconds
 */
public record RecordMetadata(
    TopicPartition partition, long offset, long timestamp, int keySize, int valueSize) {
  public String topic() {
    return partition.topic();
  }
}
