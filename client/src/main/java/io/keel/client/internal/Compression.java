package io.keel.client.internal;

import io.keel.client.CompressionType;

/** Maps the client's compression enum to the batch codec's. */
public final class Compression {
  private Compression() {}

  public static io.keel.proto.records.CompressionType toWire(CompressionType type) {
    return switch (type) {
      case NONE -> io.keel.proto.records.CompressionType.NONE;
      case LZ4 -> io.keel.proto.records.CompressionType.LZ4;
      case ZSTD -> io.keel.proto.records.CompressionType.ZSTD;
      case SNAPPY -> io.keel.proto.records.CompressionType.SNAPPY;
    };
  }
}
