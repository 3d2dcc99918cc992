package io.keel.client;

import java.util.Collection;

/** Told when a group rebalance takes partitions away from or gives partitions to this consumer. */
public interface ConsumerRebalanceListener {
  /** Called before the consumer gives up partitions; commit their offsets here. */
  void onPartitionsRevoked(Collection<TopicPartition> partitions);

  void onPartitionsAssigned(Collection<TopicPartition> partitions);

  /**
   * Called when the group fenced this consumer: the partitions may already be another member's, so
   * their offsets must not be committed. Defaults to {@link #onPartitionsRevoked}, as in Kafka.
   */
  default void onPartitionsLost(Collection<TopicPartition> partitions) {
    onPartitionsRevoked(partitions);
  }

  static ConsumerRebalanceListener noop() {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };
  }
}
