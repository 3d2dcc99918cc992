package io.keel.chaos;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Short durations for command lines: 1500ms, 90s, 10m, 2h. */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String field, String text) {
    Matcher m = FORMAT.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field + ": '" + text + "' is not a duration like 1500ms, 90s, 10m or 2h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** The largest exact unit: 600s -> "10m", 90s -> "90s". */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
