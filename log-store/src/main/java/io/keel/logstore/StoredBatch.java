package io.keel.logstore;

import java.nio.ByteBuffer;

/**
 * A record batch read back from a partition log, its envelope CRC already verified.
 *
 * @param baseOffset offset of the batch's first record
 * @param recordCount number of records (offsets) the batch covers
 * @param maxTimestamp largest record timestamp in the batch, epoch ms
 * @param raftIndex Raft index of the entry holding the batch
 * @param batch the producer's record batch, opaque to the store: a read-only view of the bytes as
 *     read from the store, not a copy, so the fetch path can hand it to the wire as it is
 */
public record StoredBatch(
    long baseOffset, int recordCount, long maxTimestamp, long raftIndex, ByteBuffer batch) {

  public StoredBatch {
    batch = batch.asReadOnlyBuffer();
  }

  /** The offset after this batch's last record. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }

  /** Bytes of the record batch. */
  public int sizeBytes() {
    return batch.remaining();
  }

  /** A copy of the record batch, for callers that decode it; the fetch path uses {@link #batch}. */
  public byte[] batchBytes() {
    byte[] out = new byte[batch.remaining()];
    batch.duplicate().get(out);
    return out;
  }
}
