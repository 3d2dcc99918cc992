package io.keel.client;

import java.util.Map;
import java.util.Objects;

/** A topic to create. {@code configs} are per-topic settings (e.g. retention.ms). */
public record NewTopic(
    String name, int partitions, int replicationFactor, Map<String, String> configs) {
  public NewTopic {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be >= 1, was " + replicationFactor);
    }
    configs = Map.copyOf(configs);
  }

  public NewTopic(String name, int partitions, int replicationFactor) {
    this(name, partitions, replicationFactor, Map.of());
  }
}
