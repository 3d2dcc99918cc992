package io.keel.client;

import java.util.Locale;

/** Where a consumer starts when it has no valid position. */
public enum AutoOffsetReset {
  EARLIEST,
  LATEST,
  /** Throw {@link OffsetOutOfRangeException} instead. */
  NONE;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AutoOffsetReset parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
