package io.keel.broker.group;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * Coordinator settings.
 *
 * @param offsetsTopicPartitions partitions of {@code __consumer_offsets} when it is created
 * @param offsetsTopicReplicationFactor its replication factor (capped by the live brokers)
 * @param sessionTimeout a member that has not heartbeated for this long is removed
 * @param heartbeatInterval how often members are told to heartbeat
 * @param lagRefreshInterval how often group metrics (members, lag) are refreshed
 */
public record GroupSettings(
    int offsetsTopicPartitions,
    int offsetsTopicReplicationFactor,
    Duration sessionTimeout,
    Duration heartbeatInterval,
    Duration lagRefreshInterval) {

  public GroupSettings {
    Checks.arg(
        offsetsTopicPartitions >= 1,
        "offsetsTopicPartitions must be >= 1, was %s",
        offsetsTopicPartitions);
    Checks.arg(
        offsetsTopicReplicationFactor >= 1,
        "offsetsTopicReplicationFactor must be >= 1, was %s",
        offsetsTopicReplicationFactor);
    Checks.arg(
        heartbeatInterval.toMillis() >= 1 && heartbeatInterval.compareTo(sessionTimeout) < 0,
        "heartbeatInterval must be >= 1 ms and below sessionTimeout (%s), was %s",
        sessionTimeout,
        heartbeatInterval);
    Checks.arg(lagRefreshInterval.toMillis() >= 1, "lagRefreshInterval must be >= 1 ms");
  }

  public static GroupSettings defaults() {
    return new GroupSettings(
        12, 3, Duration.ofSeconds(45), Duration.ofSeconds(3), Duration.ofSeconds(5));
  }
}
