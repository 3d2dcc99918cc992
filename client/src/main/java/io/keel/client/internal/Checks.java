package io.keel.client.internal;

/** Invariant checks that stay on in production; a broken invariant throws with context. */
public final class Checks {
  private Checks() {}

  public static void arg(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  public static void state(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
