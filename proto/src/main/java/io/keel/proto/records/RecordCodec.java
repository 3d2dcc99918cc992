package io.keel.proto.records;

import static io.keel.proto.records.RecordBatch.corrupt;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one record of a records section; {@link PendingRecord} writes it. Layout: length (varint) |
 * attributes (int8, 0) | timestampDelta (varlong) | offsetDelta (varint) | key (varint length, -1 =
 * null) | value (likewise) | headerCount (varint) | headers: key (varint length, UTF-8) and value
 * (varint length, -1 = null).
 */
final class RecordCodec {
  private RecordCodec() {}

  static Record read(RecordsReader in, int index, long baseOffset, long firstTimestamp) {
    int length = in.readVarint("length");
    if (length < RecordBatch.MIN_RECORD_BYTES - 1 || length > in.remaining()) {
      throw corrupt(
          "length: %d outside [%d, remaining %d]"
              .formatted(length, RecordBatch.MIN_RECORD_BYTES - 1, in.remaining()));
    }
    int start = in.position();
    byte attributes = in.readByte("attributes");
    if (attributes != 0) {
      throw corrupt("attributes: expected 0, got " + attributes);
    }
    long timestampDelta = in.readVarlong("timestampDelta");
    int offsetDelta = in.readVarint("offsetDelta");
    if (offsetDelta != index) {
      throw corrupt("offsetDelta: expected " + index + ", got " + offsetDelta);
    }
    byte[] key = in.readNullableBytes("key");
    byte[] value = in.readNullableBytes("value");
    List<Header> headers = readHeaders(in);
    int used = in.position() - start;
    if (used != length) {
      throw corrupt("length: says " + length + " bytes, fields use " + used);
    }
    long timestamp;
    try {
      timestamp = Math.addExact(firstTimestamp, timestampDelta);
    } catch (ArithmeticException e) {
      throw corrupt("timestampDelta: " + timestampDelta + " overflows firstTimestamp");
    }
    return new Record(baseOffset + offsetDelta, timestamp, key, value, headers);
  }

  private static List<Header> readHeaders(RecordsReader in) {
    int count = in.readVarint("headerCount");
    if (count == 0) {
      return List.of();
    }
    if (count < 0 || count > in.remaining() / RecordBatch.MIN_HEADER_BYTES) {
      throw corrupt(
          "headerCount: %d outside [0, %d]"
              .formatted(count, in.remaining() / RecordBatch.MIN_HEADER_BYTES));
    }
    List<Header> headers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String key = in.readString("header key");
      headers.add(new Header(key, in.readNullableBytes("header value")));
    }
    return headers;
  }
}
