package io.keel.logstore;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * How long and how much of a partition to keep. A segment goes when its newest batch is older than
 * {@code retentionTime}, or when the log without it still holds at least {@code retentionBytes}.
 *
 * @param retentionTime age limit of a segment's newest batch; {@link #UNLIMITED_TIME} for none
 * @param retentionBytes size limit of the partition; {@link #UNLIMITED_BYTES} for none
 */
public record RetentionPolicy(Duration retentionTime, long retentionBytes) {
  public static final Duration UNLIMITED_TIME = Duration.ofMillis(Long.MAX_VALUE);
  public static final long UNLIMITED_BYTES = -1;

  public RetentionPolicy {
    Checks.arg(retentionTime != null, "retentionTime is null");
    Checks.arg(
        retentionTime.toMillis() > 0, "retentionTime must be >= 1 ms, was %s", retentionTime);
    Checks.arg(
        retentionBytes >= 0 || retentionBytes == UNLIMITED_BYTES,
        "retentionBytes must be >= 0 or -1 (unlimited), was %s",
        retentionBytes);
  }

  public static RetentionPolicy ofTime(Duration retentionTime) {
    return new RetentionPolicy(retentionTime, UNLIMITED_BYTES);
  }

  public static RetentionPolicy ofBytes(long retentionBytes) {
    return new RetentionPolicy(UNLIMITED_TIME, retentionBytes);
  }
}
