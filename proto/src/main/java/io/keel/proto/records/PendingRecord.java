package io.keel.proto.records;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A record measured and ready to be written into a records section (layout in RecordCodec). */
record PendingRecord(
    long timestampDelta,
    int offsetDelta,
    byte[] key,
    byte[] value,
    List<Header> headers,
    List<byte[]> headerKeys,
    int bodyBytes) {

  static PendingRecord of(
      long timestampDelta, int offsetDelta, byte[] key, byte[] value, List<Header> headers) {
    List<byte[]> headerKeys = new ArrayList<>(headers.size());
    long size = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(offsetDelta);
    size += sizeOfNullable(key) + sizeOfNullable(value) + Varints.sizeOfVarint(headers.size());
    for (Header header : headers) {
      byte[] headerKey = header.key().getBytes(StandardCharsets.UTF_8);
      headerKeys.add(headerKey);
      size += sizeOfNullable(headerKey) + sizeOfNullable(header.value());
    }
    if (size > Integer.MAX_VALUE) {
      throw new RecordBatchTooLargeException("record size", size, Integer.MAX_VALUE);
    }
    return new PendingRecord(
        timestampDelta, offsetDelta, key, value, headers, headerKeys, (int) size);
  }

  /** Bytes the record takes in the section, length prefix included. */
  int encodedBytes() {
    return Varints.sizeOfVarint(bodyBytes) + bodyBytes;
  }

  void writeTo(ByteArrayOutputStream out) {
    Varints.writeVarint(out, bodyBytes);
    out.write(0);
    Varints.writeVarlong(out, timestampDelta);
    Varints.writeVarint(out, offsetDelta);
    writeNullable(out, key);
    writeNullable(out, value);
    Varints.writeVarint(out, headers.size());
    for (int i = 0; i < headers.size(); i++) {
      writeNullable(out, headerKeys.get(i));
      writeNullable(out, headers.get(i).value());
    }
  }

  private static long sizeOfNullable(byte[] bytes) {
    return bytes == null ? 1 : Varints.sizeOfVarint(bytes.length) + (long) bytes.length;
  }

  private static void writeNullable(ByteArrayOutputStream out, byte[] bytes) {
    if (bytes == null) {
      Varints.writeVarint(out, -1);
      return;
    }
    Varints.writeVarint(out, bytes.length);
    out.write(bytes, 0, bytes.length);
  }
}
