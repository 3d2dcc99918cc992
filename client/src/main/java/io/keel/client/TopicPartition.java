package io.keel.client;

import java.util.Objects;

/** One partition of a topic. */
public record TopicPartition(String topic, int partition) {
  public TopicPartition {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition);
    }
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
