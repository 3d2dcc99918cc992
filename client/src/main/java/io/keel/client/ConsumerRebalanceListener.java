package io.keel.client;

import java.util.Collection;

/** Told when a group rebalance takes partitions away from or gives partitions to this consumer. */
public interface ConsumerRebalanceListener {
  /** Called before the consumer gives up partitions; commit their offsets here. */
  void onPartitionsRevoked(Collection<TopicPartition> partitions);

  void onPartitionsAssigned(Collection<TopicPartition> partitions);

  static ConsumerRebalanceListener noop() {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };
  }
}
