package io.keel.logstore;

import io.keel.raft.Entry;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * One entry as a segment file holds it: {@code length u32, crc u32, term u64, index u64, type u8,
 * data}. {@code length} counts the data bytes; the CRC32C covers the length field and everything
 * after the crc field, so a frame is self-checking and names the entry it holds.
 */
final class SegmentFrame {
  static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 1;
  private static final int CRC_AT = 4;
  private static final int COVERED_AT = 8;

  private SegmentFrame() {}

  /** The header of {@code e}'s frame; the data follows it unchanged. */
  static ByteBuffer header(Entry e) {
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
    h.putInt(e.data().length).putInt(0).putLong(e.term()).putLong(e.index());
    h.put((byte) e.type().ordinal());
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, CRC_AT);
    crc.update(h.array(), COVERED_AT, HEADER_BYTES - COVERED_AT);
    crc.update(e.data());
    h.putInt(CRC_AT, (int) crc.getValue());
    return h.flip();
  }

  static int frameBytes(Entry e) {
    return HEADER_BYTES + e.data().length;
  }

  /**
   * What is wrong with {@code frame} as the frame of entry {@code index} of {@code term}, if
   * anything: a short read, a bad length, a CRC mismatch, or a frame of another entry.
   */
  static Optional<String> problem(byte[] frame, int read, long index, long term) {
    if (read < HEADER_BYTES || read < frame.length) {
      return Optional.of("frame cut short: " + read + " of " + frame.length + " bytes present");
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    int length = b.getInt(0);
    if (length != frame.length - HEADER_BYTES) {
      return Optional.of(
          "frame length field says "
              + length
              + " data bytes, the index says "
              + (frame.length - HEADER_BYTES));
    }
    CRC32C crc = new CRC32C();
    crc.update(frame, 0, CRC_AT);
    crc.update(frame, COVERED_AT, frame.length - COVERED_AT);
    int stored = b.getInt(CRC_AT);
    if (stored != (int) crc.getValue()) {
      return Optional.of(
          String.format(
              "frame CRC mismatch: stored 0x%08x, computed 0x%08x over %d bytes",
              stored, (int) crc.getValue(), frame.length - 4));
    }
    long frameTerm = b.getLong(8);
    long frameIndex = b.getLong(16);
    if (frameIndex != index || frameTerm != term) {
      return Optional.of(
          "frame holds index "
              + frameIndex
              + " term "
              + frameTerm
              + ", expected index "
              + index
              + " term "
              + term);
    }
    return Optional.empty();
  }
}
