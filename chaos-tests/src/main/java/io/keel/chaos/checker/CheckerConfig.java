package io.keel.chaos.checker;

/**
 * @param expectNoDuplicates true when producers are idempotent: then any duplicate is an anomaly
 * @param maxExamples examples kept per anomaly type
 */
public record CheckerConfig(boolean expectNoDuplicates, int maxExamples) {
  public CheckerConfig {
    if (maxExamples < 0) {
      throw new IllegalArgumentException("maxExamples must be >= 0, got " + maxExamples);
    }
  }

  public static CheckerConfig idempotent() {
    return new CheckerConfig(true, 10);
  }
}
