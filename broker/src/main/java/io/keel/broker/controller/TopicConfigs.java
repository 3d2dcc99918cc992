package io.keel.broker.controller;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The topic-level settings a topic may override, and their validation. */
public final class TopicConfigs {
  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String SEGMENT_MS = "segment.ms";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";

  /** Keys whose value is a long where -1 means unlimited. */
  private static final Set<String> UNLIMITED_ALLOWED = Set.of(RETENTION_MS, RETENTION_BYTES);

  public static final Set<String> KEYS =
      Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES, SEGMENT_MS, MAX_MESSAGE_BYTES);

  private TopicConfigs() {}

  /** The first problem with {@code configs}, naming the key, or empty when they are valid. */
  public static Optional<String> validate(Map<String, String> configs) {
    for (Map.Entry<String, String> e : configs.entrySet()) {
      Optional<String> problem = validate(e.getKey(), e.getValue());
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> validate(String key, String value) {
    if (!KEYS.contains(key)) {
      return Optional.of("unknown topic config '" + key + "'; known: " + String.join(", ", KEYS));
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return Optional.of("topic config '" + key + "' must be an integer, was '" + value + "'");
    }
    long min = UNLIMITED_ALLOWED.contains(key) ? -1 : 1;
    if (parsed < min || (parsed == 0 && UNLIMITED_ALLOWED.contains(key))) {
      String allowed = min == -1 ? "> 0 or -1 (unlimited)" : ">= 1";
      return Optional.of("topic config '" + key + "' must be " + allowed + ", was " + parsed);
    }
    return Optional.empty();
  }
}
