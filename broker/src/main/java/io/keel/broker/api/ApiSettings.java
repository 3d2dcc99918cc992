package io.keel.broker.api;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * Limits of the client API.
 *
 * @param maxRequestBytes largest record batch one produce may carry (max.request.bytes)
 * @param defaultProduceTimeout how long a produce waits for its acks when timeout_ms is 0
 * @param maxFetchWait longest long-poll a fetch may ask for
 * @param defaultFetchMaxBytes fetch budget when max_bytes is 0
 * @param defaultPartitionMaxBytes per-partition fetch budget when partition_max_bytes is 0
 */
public record ApiSettings(
    int maxRequestBytes,
    Duration defaultProduceTimeout,
    Duration maxFetchWait,
    int defaultFetchMaxBytes,
    int defaultPartitionMaxBytes) {
  public ApiSettings {
    Checks.arg(maxRequestBytes > 0, "maxRequestBytes must be > 0, was %s", maxRequestBytes);
    Checks.arg(defaultProduceTimeout.toMillis() > 0, "defaultProduceTimeout must be >= 1 ms");
    Checks.arg(!maxFetchWait.isNegative(), "maxFetchWait must be >= 0");
    Checks.arg(defaultFetchMaxBytes > 0, "defaultFetchMaxBytes must be > 0");
    Checks.arg(defaultPartitionMaxBytes > 0, "defaultPartitionMaxBytes must be > 0");
  }

  public static ApiSettings defaults() {
    return new ApiSettings(
        1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(30), 50 << 20, 1 << 20);
  }

  public ApiSettings withMaxRequestBytes(int bytes) {
    return new ApiSettings(
        bytes, defaultProduceTimeout, maxFetchWait, defaultFetchMaxBytes, defaultPartitionMaxBytes);
  }
}
