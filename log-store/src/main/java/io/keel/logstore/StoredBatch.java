package io.keel.logstore;

/**
 * A record batch read back from a partition log, its envelope CRC already verified.
 *
 * @param baseOffset offset of the batch's first record
 * @param recordCount number of records (offsets) the batch covers
 * @param maxTimestamp largest record timestamp in the batch, epoch ms
 * @param raftIndex Raft index of the entry holding the batch
 * @param batchBytes the producer's record batch, opaque to the store
 */
public record StoredBatch(
    long baseOffset, int recordCount, long maxTimestamp, long raftIndex, byte[] batchBytes) {

  /** The offset after this batch's last record. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }
}
