package io.keel.broker.controller;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Read access to the cluster metadata this node knows; thread-safe. Images only move forward.
 * Partition leaders are hints gathered by the controller from heartbeats; the partition's own Raft
 * group is authoritative on a replica.
 */
public interface MetadataView {

  /** The latest image this node has. */
  MetadataImage image();

  /** Known partition-group leaders by group id. */
  Map<Long, PartitionLeader> partitionLeaders();

  /** The controller leader's node id, 0 when unknown. */
  int controllerLeaderId();

  /** Milliseconds since the controller last heard from each node, as last reported. */
  Map<Integer, Long> lastSeenMsAgo();

  /** Completes once this node's image has at least {@code version}. */
  CompletableFuture<MetadataImage> awaitVersion(long version);

  /** Adds a listener; it is first called at once with (EMPTY, current image). */
  void addListener(MetadataListener listener);

  void removeListener(MetadataListener listener);

  default Optional<TopicInfo> topic(String name) {
    return image().topic(name);
  }

  default Optional<BrokerInfo> broker(int nodeId) {
    return image().broker(nodeId);
  }
}
