package io.keel.broker.http;

import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.TopicInfo;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Sends a partition's request to its leader as this node's metadata knows it, and once more to the
 * leader a NOT_LEADER answer names (metadata lags an election by a heartbeat). A second miss is the
 * caller's 503 with Retry-After.
 */
final class Leaders {
  private final MetadataView metadata;

  Leaders(MetadataView metadata) {
    this.metadata = metadata;
  }

  TopicInfo topic(String name) {
    return metadata
        .topic(name)
        .orElseThrow(
            () ->
                HttpApiException.notFound(
                    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist"));
  }

  /** The known leader's node id, 0 when unknown (then this node answers with the error). */
  int leaderOf(TopicInfo topic, int partition) {
    PartitionLeader leader = metadata.partitionLeaders().get(topic.groupId(partition));
    return leader == null ? 0 : leader.nodeId();
  }

  /**
   * {@code send} to the leader of {@code partition}; {@code error} reads a response's error of that
   * partition.
   */
  <R> CompletableFuture<R> send(
      TopicInfo topic,
      int partition,
      IntFunction<CompletableFuture<R>> send,
      Function<R, ErrorDetail> error) {
    int first = leaderOf(topic, partition);
    return send.apply(first)
        .thenCompose(
            r -> {
              ErrorDetail e = error.apply(r);
              int hinted = e.getCode() == ErrorCode.NOT_LEADER ? e.getLeader().getLeaderId() : 0;
              return hinted != 0 && hinted != first
                  ? send.apply(hinted)
                  : CompletableFuture.completedFuture(r);
            });
  }
}
