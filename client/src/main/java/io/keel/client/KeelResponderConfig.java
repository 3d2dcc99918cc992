package io.keel.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link KeelResponder}.
 *
 * @param bootstrapServers {@code host:port} of any nodes
 * @param groupId the consumer group the workers of one request topic share
 * @param requestTopics topics requests arrive on
 * @param pollTimeout longest one poll waits for requests
 */
public record KeelResponderConfig(
    List<String> bootstrapServers,
    String groupId,
    List<String> requestTopics,
    Duration pollTimeout) {
  public KeelResponderConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
    requestTopics = List.copyOf(requestTopics);
    Objects.requireNonNull(groupId, "groupId");
    if (bootstrapServers.isEmpty() || requestTopics.isEmpty()) {
      throw new InvalidConfigException("bootstrapServers and requestTopics must not be empty");
    }
  }

  public static KeelResponderConfig of(String bootstrap, String groupId, String requestTopic) {
    return new KeelResponderConfig(
        List.of(bootstrap.split(",")), groupId, List.of(requestTopic), Duration.ofMillis(200));
  }
}
