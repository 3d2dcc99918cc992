package io.keel.broker.partition;

import io.keel.logstore.StoredBatch;
import java.util.List;

/**
 * Committed batches read from a partition leader.
 *
 * @param highWatermark offset after the last committed record
 * @param logStartOffset first offset still stored
 * @param leaderEpoch the Raft term of the leader that served the read
 * @param batches whole batches in offset order; the first may start before the fetch offset
 * @param sizeBytes total size of the batch bytes
 */
public record PartitionRead(
    long highWatermark,
    long logStartOffset,
    long leaderEpoch,
    List<StoredBatch> batches,
    long sizeBytes) {
  public PartitionRead {
    batches = List.copyOf(batches);
  }
}
