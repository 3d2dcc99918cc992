package io.keel.logstore;

import java.nio.ByteBuffer;

/**
 * Where one Raft entry's frame lies: the value of the {@code raft_log} column family under (group,
 * index). The entry's bytes are in a segment file; RocksDB holds only this pointer.
 *
 * @param term the entry's term (first, so {@link Codec#termOf} reads it without decoding the rest)
 * @param type the entry type's ordinal
 * @param fileId the segment file ({@link SegmentFiles#name})
 * @param position byte position of the frame in the file
 * @param length bytes of the frame, header included
 * @param baseOffset the envelope's base offset for a record-batch entry, else -1
 */
record LogPointer(long term, int type, long fileId, long position, int length, long baseOffset) {
  static final int BYTES = 8 + 1 + 8 + 8 + 4 + 8;

  boolean isBatch() {
    return baseOffset >= 0;
  }

  long end() {
    return position + length;
  }

  byte[] encode() {
    return ByteBuffer.allocate(BYTES)
        .putLong(term)
        .put((byte) type)
        .putLong(fileId)
        .putLong(position)
        .putInt(length)
        .putLong(baseOffset)
        .array();
  }

  static LogPointer decode(byte[] v) {
    if (v.length != BYTES) {
      throw new StoreDamagedException(
          "raft_log value has " + v.length + " bytes, a segment pointer has " + BYTES);
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    return new LogPointer(b.getLong(), b.get(), b.getLong(), b.getLong(), b.getInt(), b.getLong());
  }
}
