package io.keel.client;

import java.util.List;
import java.util.Map;

/** A topic with its partitions, replicas, leaders and offsets. */
public record TopicDescription(
    String name,
    int replicationFactor,
    Map<String, String> configs,
    List<PartitionDescription> partitions,
    boolean internal) {
  public TopicDescription {
    configs = Map.copyOf(configs);
    partitions = List.copyOf(partitions);
  }
}
