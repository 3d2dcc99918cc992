package io.keel.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link KeelRequester}.
 *
 * @param bootstrapServers {@code host:port} of any nodes
 * @param replyTopic the topic replies come back on
 * @param replyPartition this requester's own partition of {@code replyTopic}: no other requester
 *     may use it at the same time (replies for others would count as late here)
 * @param maxOutstandingRequests requests awaiting a reply at once; more wait (back-pressure)
 * @param maxBlock how long {@code request} waits for room before failing with {@link
 *     BufferExhaustedException}
 */
public record KeelRequesterConfig(
    List<String> bootstrapServers,
    String replyTopic,
    int replyPartition,
    int maxOutstandingRequests,
    Duration maxBlock) {
  public KeelRequesterConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
    if (bootstrapServers.isEmpty()) {
      throw new InvalidConfigException("bootstrapServers must name at least one node");
    }
    Objects.requireNonNull(replyTopic, "replyTopic");
    if (replyPartition < 0) {
      throw new InvalidConfigException("replyPartition must be >= 0, was " + replyPartition);
    }
    if (maxOutstandingRequests < 1) {
      throw new InvalidConfigException(
          "maxOutstandingRequests must be >= 1, was " + maxOutstandingRequests);
    }
    if (maxBlock.isNegative()) {
      throw new InvalidConfigException("maxBlock must be >= 0, was " + maxBlock);
    }
  }

  /** 1000 outstanding requests, waiting up to 60 s for room. */
  public static KeelRequesterConfig of(String bootstrap, String replyTopic, int replyPartition) {
    return new KeelRequesterConfig(
        List.of(bootstrap.split(",")), replyTopic, replyPartition, 1000, Duration.ofSeconds(60));
  }
}
