package io.keel.proto.records;

import java.io.ByteArrayOutputStream;

/** Zig-zag base-128 varints, as in protobuf's sint32/sint64 (and Kafka's record format). */
final class Varints {
  static final int MAX_VARINT_BYTES = 5;
  static final int MAX_VARLONG_BYTES = 10;

  private Varints() {}

  static void writeVarint(ByteArrayOutputStream out, int value) {
    writeUnsigned(out, Integer.toUnsignedLong((value << 1) ^ (value >> 31)));
  }

  static void writeVarlong(ByteArrayOutputStream out, long value) {
    writeUnsigned(out, (value << 1) ^ (value >> 63));
  }

  private static void writeUnsigned(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static int sizeOfVarint(int value) {
    return sizeOfUnsigned(Integer.toUnsignedLong((value << 1) ^ (value >> 31)));
  }

  static int sizeOfVarlong(long value) {
    return sizeOfUnsigned((value << 1) ^ (value >> 63));
  }

  private static int sizeOfUnsigned(long v) {
    int bytes = 1;
    while ((v & ~0x7FL) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }
}
