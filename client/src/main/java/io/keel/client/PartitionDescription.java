package io.keel.client;

import java.util.List;

/**
 * One partition as describeTopics() reports it.
 *
 * @param leaderId 0 when the partition has no leader
 * @param logEndOffset offset after the last appended record (may exceed the high watermark)
 * @param highWatermark offset after the last committed record; consumers read below it
 */
public record PartitionDescription(
    int partition,
    int leaderId,
    long leaderEpoch,
    List<Integer> replicas,
    List<Integer> inSyncReplicas,
    long logStartOffset,
    long logEndOffset,
    long highWatermark,
    long sizeBytes) {
  public PartitionDescription {
    replicas = List.copyOf(replicas);
    inSyncReplicas = List.copyOf(inSyncReplicas);
  }
}
