package io.keel.bench;

import java.time.Duration;

/**
 * One benchmark workload, in the spirit of OpenMessaging Benchmark.
 *
 * @param ratePerSec total producer rate; 0 means as fast as the cluster accepts
 * @param serialMessages when positive, the one-at-a-time end-to-end mode: send one message, wait
 *     until a consumer receives it, repeat this many times
 * @param drain after the timed phase, read the whole topic from the start and report the consumer's
 *     throughput (the consume benchmark)
 * @param shareWorkers when positive, the share-group mode: instead of the consumers, this many
 *     workers in one share group accept every record one by one (on a fresh topic per run)
 */
public record Workload(
    String topic,
    int partitions,
    int replicationFactor,
    int messageSizeBytes,
    int producers,
    int consumers,
    long ratePerSec,
    String acks,
    long lingerMs,
    int batchSizeBytes,
    String compression,
    Duration warmup,
    Duration duration,
    int serialMessages,
    boolean drain,
    int shareWorkers) {

  public Workload {
    require(partitions > 0, "partitions must be > 0, was " + partitions);
    require(replicationFactor > 0, "replication-factor must be > 0, was " + replicationFactor);
    require(
        messageSizeBytes >= Long.BYTES,
        "message-size must be >= 8 bytes (it carries the send time), was " + messageSizeBytes);
    require(producers > 0, "producers must be > 0, was " + producers);
    require(consumers >= 0, "consumers must be >= 0, was " + consumers);
    require(ratePerSec >= 0, "rate must be >= 0 (0 = max), was " + ratePerSec);
    require(!duration.isNegative() && !duration.isZero(), "duration must be > 0");
    require(!warmup.isNegative(), "warmup must be >= 0");
    require(shareWorkers >= 0, "workers must be >= 0, was " + shareWorkers);
    require(shareWorkers == 0 || serialMessages == 0, "--share and --serial cannot be combined");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("bench: " + message);
    }
  }
}
