package io.keel.client;

import java.util.Locale;

/** Compression of producer record batches. */
public enum CompressionType {
  NONE,
  LZ4,
  ZSTD,
  SNAPPY;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CompressionType parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
