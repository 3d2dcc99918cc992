package io.keel.broker.partition;

import io.keel.logstore.CorruptBatchException;
import io.keel.logstore.OffsetOutOfRangeException;
import io.keel.logstore.PartitionLog;
import io.keel.logstore.StoredBatch;
import io.keel.proto.ErrorCode;
import io.keel.raft.Checks;
import java.util.List;

/**
 * A committed read decided on the partition's loop (bounds captured there) and executed on any
 * thread: {@link PartitionLog} reads are thread-safe and see one RocksDB snapshot, so a large read
 * never stalls the Raft event loop.
 *
 * @param id the partition
 * @param log its log
 * @param fetchOffset first offset wanted
 * @param maxBytes byte budget
 * @param atLeastOneBatch return the first batch even when it exceeds the budget
 * @param highWatermark the high watermark when planned; nothing at or beyond it is returned
 * @param logStartOffset the log start when planned
 * @param leaderEpoch the leader's term when planned
 * @param maxRaftIndex the applied index when planned: the read stops there
 * @param readsLog false when the answer is known to be empty without reading
 */
record ReadPlan(
    PartitionId id,
    PartitionLog log,
    long fetchOffset,
    int maxBytes,
    boolean atLeastOneBatch,
    long highWatermark,
    long logStartOffset,
    long leaderEpoch,
    long maxRaftIndex,
    boolean readsLog) {

  PartitionRead execute() {
    if (!readsLog) {
      return new PartitionRead(highWatermark, logStartOffset, leaderEpoch, List.of(), 0);
    }
    List<StoredBatch> batches;
    try {
      batches = log.read(fetchOffset, maxRaftIndex, Math.max(maxBytes, 1));
    } catch (CorruptBatchException e) {
      throw new PartitionException(ErrorCode.CORRUPT_BATCH, e.getMessage());
    } catch (OffsetOutOfRangeException e) {
      // Retention removed the offset between planning and reading.
      throw new PartitionException(
          ErrorCode.OFFSET_OUT_OF_RANGE, "partition " + id + ": " + e.getMessage());
    }
    if (!atLeastOneBatch && !batches.isEmpty() && batches.get(0).sizeBytes() > maxBytes) {
      // The store always returns one batch; here the budget says none fits.
      batches = List.of();
    }
    long bytes = 0;
    for (StoredBatch b : batches) {
      Checks.state(
          b.nextOffset() <= highWatermark,
          "partition %s read batch ending at %s beyond high watermark %s",
          id,
          b.nextOffset(),
          highWatermark);
      bytes += b.sizeBytes();
    }
    return new PartitionRead(highWatermark, logStartOffset, leaderEpoch, batches, bytes);
  }
}
