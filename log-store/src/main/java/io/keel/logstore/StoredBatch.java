package io.keel.logstore;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A record batch read back from a partition log: the producer's bytes, opaque to the store, as a
 * region of the array its frame was read into (no copy). Its frame CRC32C was verified on the read,
 * its envelope when it was appended.
 *
 * <p>A class, not a record, so that the array stays private: callers see a read-only view ({@link
 * #batch}) or lend the region to an encoder ({@link #lend}).
 */
public final class StoredBatch {
  private final long baseOffset;
  private final int recordCount;
  private final long maxTimestamp;
  private final long raftIndex;
  private final byte[] array;
  private final int offset;
  private final int length;

  /** What receives the batch's region of its array; it must not modify the bytes. */
  @FunctionalInterface
  public interface Borrower<T> {
    T borrow(byte[] array, int offset, int length);
  }

  /**
   * @param baseOffset offset of the batch's first record
   * @param recordCount number of records (offsets) the batch covers
   * @param maxTimestamp largest record timestamp in the batch, epoch ms
   * @param raftIndex Raft index of the entry holding the batch
   * @param array the bytes read from the store, never modified after
   * @param offset where the batch starts in {@code array}
   * @param length bytes of the batch
   */
  public StoredBatch(
      long baseOffset,
      int recordCount,
      long maxTimestamp,
      long raftIndex,
      byte[] array,
      int offset,
      int length) {
    Objects.checkFromIndexSize(offset, length, array.length);
    this.baseOffset = baseOffset;
    this.recordCount = recordCount;
    this.maxTimestamp = maxTimestamp;
    this.raftIndex = raftIndex;
    this.array = array;
    this.offset = offset;
    this.length = length;
  }

  public long baseOffset() {
    return baseOffset;
  }

  public int recordCount() {
    return recordCount;
  }

  public long maxTimestamp() {
    return maxTimestamp;
  }

  public long raftIndex() {
    return raftIndex;
  }

  /** The offset after this batch's last record. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }

  /** Bytes of the record batch. */
  public int sizeBytes() {
    return length;
  }

  /** A read-only view of the record batch. */
  public ByteBuffer batch() {
    return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
  }

  /**
   * Hands the batch's region of its array to {@code borrower}, without a copy: the fetch path's
   * encoder writes a wrapped array straight to the wire, while a wrapped {@link ByteBuffer} would
   * be copied through protobuf's 4 KiB staging buffer first.
   */
  public <T> T lend(Borrower<T> borrower) {
    return borrower.borrow(array, offset, length);
  }

  /** A copy of the record batch, for callers that decode it. */
  public byte[] batchBytes() {
    byte[] out = new byte[length];
    System.arraycopy(array, offset, out, 0, length);
    return out;
  }

  @Override
  public String toString() {
    return "StoredBatch[baseOffset="
        + baseOffset
        + ", recordCount="
        + recordCount
        + ", raftIndex="
        + raftIndex
        + ", bytes="
        + length
        + "]";
  }
}
