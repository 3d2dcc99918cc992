package io.keel.proto.records;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads from a records section. Every length is checked against the bytes that
 * remain before anything is allocated, so a hostile length cannot exhaust memory.
 */
final class RecordsReader {
  private final ByteBuffer buf;

  RecordsReader(ByteBuffer buf) {
    this.buf = buf;
  }

  int remaining() {
    return buf.remaining();
  }

  int position() {
    return buf.position();
  }

  byte readByte(String field) {
    need(field, 1);
    return buf.get();
  }

  int readVarint(String field) {
    long raw = readUnsigned(field, Varints.MAX_VARINT_BYTES);
    if (raw > 0xFFFF_FFFFL) {
      throw corrupt(field + ": varint overflows 32 bits");
    }
    int v = (int) raw;
    return (v >>> 1) ^ -(v & 1);
  }

  long readVarlong(String field) {
    long raw = readUnsigned(field, Varints.MAX_VARLONG_BYTES);
    return (raw >>> 1) ^ -(raw & 1);
  }

  private long readUnsigned(String field, int maxBytes) {
    long value = 0;
    for (int i = 0; i < maxBytes; i++) {
      need(field, 1);
      int b = buf.get() & 0xFF;
      if (i == Varints.MAX_VARLONG_BYTES - 1 && b > 1) {
        throw corrupt(field + ": varlong overflows 64 bits");
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw corrupt(field + ": varint longer than " + maxBytes + " bytes");
  }

  /** Reads a length-prefixed byte array; length -1 means null. */
  byte[] readNullableBytes(String field) {
    int length = readVarint(field);
    if (length == -1) {
      return null;
    }
    return readBytes(field, length);
  }

  byte[] readBytes(String field, int length) {
    if (length < 0) {
      throw corrupt(field + ": negative length " + length);
    }
    need(field, length);
    byte[] out = new byte[length];
    buf.get(out);
    return out;
  }

  String readString(String field) {
    int length = readVarint(field);
    byte[] bytes = readBytes(field, length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptRecordBatchException(field + ": not valid UTF-8", e);
    }
  }

  private void need(String field, int bytes) {
    if (buf.remaining() < bytes) {
      throw corrupt(field + ": needs " + bytes + " bytes but only " + buf.remaining() + " remain");
    }
  }

  static CorruptRecordBatchException corrupt(String message) {
    return new CorruptRecordBatchException(message);
  }
}
