package io.keel.logstore;

import java.nio.ByteBuffer;

/**
 * One segment of a group's log: a contiguous run of Raft indices, the unit retention removes.
 * Stored in the {@code segments} column family under (group, firstIndex).
 *
 * @param firstIndex first Raft index in the segment
 * @param lastIndex last Raft index in the segment
 * @param baseOffset first offset of the segment's batches (the log's next offset if it has none)
 * @param endOffset offset after the segment's last batch
 * @param bytes entry bytes (headers and data) in the segment
 * @param createdMs wall-clock time the segment was started, for age-based rolling
 * @param maxTimestamp largest batch timestamp, or {@link Long#MIN_VALUE} when it has no batch
 * @param fileId the segment file holding the entries' frames ({@link SegmentFiles#name}); a segment
 *     trimmed by a snapshot keeps its file, whose frames before {@code firstIndex} are dead
 */
record SegmentMeta(
    long firstIndex,
    long lastIndex,
    long baseOffset,
    long endOffset,
    long bytes,
    long createdMs,
    long maxTimestamp,
    long fileId) {

  static final int VALUE_BYTES = 8 * 7;

  static SegmentMeta start(long index, long offset, long nowMs, long fileId) {
    return new SegmentMeta(index, index - 1, offset, offset, 0, nowMs, Long.MIN_VALUE, fileId);
  }

  boolean hasBatches() {
    return endOffset > baseOffset;
  }

  SegmentMeta plus(long index, long entryBytes, BatchEnvelope.Header batch) {
    if (batch == null) {
      return new SegmentMeta(
          firstIndex,
          index,
          baseOffset,
          endOffset,
          bytes + entryBytes,
          createdMs,
          maxTimestamp,
          fileId);
    }
    long base = hasBatches() ? baseOffset : batch.baseOffset();
    return new SegmentMeta(
        firstIndex,
        index,
        base,
        batch.nextOffset(),
        bytes + entryBytes,
        createdMs,
        Math.max(maxTimestamp, batch.maxTimestamp()),
        fileId);
  }

  byte[] encodeValue() {
    return ByteBuffer.allocate(VALUE_BYTES)
        .putLong(lastIndex)
        .putLong(baseOffset)
        .putLong(endOffset)
        .putLong(bytes)
        .putLong(createdMs)
        .putLong(maxTimestamp)
        .putLong(fileId)
        .array();
  }

  static SegmentMeta decode(byte[] key, byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    return new SegmentMeta(
        Keys.valueOf(key),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong());
  }
}
