package io.keel.broker.config;

import io.keel.logstore.FsyncPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Value parsers for {@link ConfigKey}s; each failure message says what is allowed. */
final class Parsers {
  private Parsers() {}

  static Function<String, Integer> intAtLeast(int min) {
    return raw -> {
      long v = parseLong(raw);
      if (v < min || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "must be an integer between " + min + " and " + Integer.MAX_VALUE + ", was " + raw);
      }
      return (int) v;
    };
  }

  static Function<String, Long> longAtLeast(long min) {
    return raw -> {
      long v = parseLong(raw);
      if (v < min) {
        throw new IllegalArgumentException("must be >= " + min + ", was " + raw);
      }
      return v;
    };
  }

  /** A positive long, or -1 for unlimited. */
  static Function<String, Long> positiveOrUnlimited() {
    return raw -> {
      long v = parseLong(raw);
      if (v != -1 && v < 1) {
        throw new IllegalArgumentException("must be > 0 or -1 (unlimited), was " + raw);
      }
      return v;
    };
  }

  static String nonEmpty(String raw) {
    if (raw.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return raw;
  }

  /** {@code always}, {@code never} or {@code interval=<ms>}. */
  static FsyncPolicy fsync(String raw) {
    if (raw.equals("always")) {
      return FsyncPolicy.always();
    }
    if (raw.equals("never")) {
      return FsyncPolicy.never();
    }
    if (raw.startsWith("interval=")) {
      long ms = parseLong(raw.substring("interval=".length()));
      if (ms < 1) {
        throw new IllegalArgumentException("interval must be >= 1 ms, was " + raw);
      }
      return FsyncPolicy.interval(Duration.ofMillis(ms));
    }
    throw new IllegalArgumentException("must be always, never or interval=<ms>, was '" + raw + "'");
  }

  /** {@code id@host:port,id@host:port,...}: at least one voter, ids unique and positive. */
  static Map<Integer, HostPort> voters(String raw) {
    Map<Integer, HostPort> out = new LinkedHashMap<>();
    for (String part : raw.split(",")) {
      String item = part.trim();
      int at = item.indexOf('@');
      if (at <= 0) {
        throw new IllegalArgumentException("each voter must be id@host:port, was '" + item + "'");
      }
      int id = intAtLeast(1).apply(item.substring(0, at));
      if (out.put(id, HostPort.parse(item.substring(at + 1))) != null) {
        throw new IllegalArgumentException("voter id " + id + " appears twice");
      }
    }
    return Map.copyOf(out);
  }

  /** An optional {@code host:port}: empty means unset. */
  static HostPort optionalHostPort(String raw) {
    return raw.isEmpty() ? null : HostPort.parse(raw);
  }

  private static long parseLong(String raw) {
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be an integer, was '" + raw + "'");
    }
  }
}
