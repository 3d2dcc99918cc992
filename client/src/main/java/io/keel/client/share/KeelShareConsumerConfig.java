package io.keel.client.share;

import io.keel.client.InvalidConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link KeelShareConsumer}, Kafka-style keys.
 *
 * @param bootstrapServers {@code bootstrap.servers}
 * @param groupId {@code group.id}: the share group
 * @param clientId {@code client.id}
 * @param implicitAcknowledgement {@code share.acknowledgement.mode}: {@code implicit} (default: the
 *     next poll or commit accepts every record of the previous poll not acknowledged) or {@code
 *     explicit} (every record must be acknowledged)
 * @param maxPollRecords {@code max.poll.records}
 * @param fetchMaxWaitMs {@code fetch.max.wait.ms}: how long a poll waits at the broker for records
 * @param requestTimeoutMs {@code request.timeout.ms}
 * @param retryBackoffMs {@code retry.backoff.ms}
 */
public record KeelShareConsumerConfig(
    List<String> bootstrapServers,
    String groupId,
    String clientId,
    boolean implicitAcknowledgement,
    int maxPollRecords,
    int fetchMaxWaitMs,
    int requestTimeoutMs,
    int retryBackoffMs) {

  public KeelShareConsumerConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
    if (bootstrapServers.isEmpty()) {
      throw new InvalidConfigException("bootstrap.servers must name at least one host:port");
    }
    if (groupId == null || groupId.isEmpty() || groupId.length() > 255) {
      throw new InvalidConfigException("group.id must be 1 to 255 chars");
    }
    if (maxPollRecords < 1 || maxPollRecords > 500) {
      throw new InvalidConfigException(
          "max.poll.records must be 1 to 500 (the broker's limit), was " + maxPollRecords);
    }
  }

  /** From Kafka-style properties; unknown keys are refused, naming the key. */
  public static KeelShareConsumerConfig of(Map<String, ?> props) {
    for (String key : props.keySet()) {
      if (!List.of(
              "bootstrap.servers",
              "group.id",
              "client.id",
              "share.acknowledgement.mode",
              "max.poll.records",
              "fetch.max.wait.ms",
              "request.timeout.ms",
              "retry.backoff.ms")
          .contains(key)) {
        throw new InvalidConfigException("unknown share consumer config key '" + key + "'");
      }
    }
    Object modeValue = props.get("share.acknowledgement.mode");
    String mode = modeValue == null ? "implicit" : String.valueOf(modeValue);
    if (!mode.equals("implicit") && !mode.equals("explicit")) {
      throw new InvalidConfigException(
          "share.acknowledgement.mode must be implicit or explicit, was '" + mode + "'");
    }
    Object servers = props.get("bootstrap.servers");
    List<String> list =
        servers instanceof List<?> l
            ? l.stream().map(String::valueOf).toList()
            : Arrays.asList(String.valueOf(servers == null ? "" : servers).split(","));
    return new KeelShareConsumerConfig(
        list.stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
        props.get("group.id") == null ? null : String.valueOf(props.get("group.id")),
        props.get("client.id") == null
            ? "keel-share-consumer"
            : String.valueOf(props.get("client.id")),
        mode.equals("implicit"),
        intOf(props, "max.poll.records", 500),
        intOf(props, "fetch.max.wait.ms", 500),
        intOf(props, "request.timeout.ms", 30_000),
        intOf(props, "retry.backoff.ms", 100));
  }

  private static int intOf(Map<String, ?> props, String key, int fallback) {
    Object v = props.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(key + " must be an integer, was '" + v + "'");
    }
  }
}
