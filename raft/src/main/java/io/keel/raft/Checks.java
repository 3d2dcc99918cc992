package io.keel.raft;

/**
 * Invariant checks that stay on in production. A broken invariant throws with context; the node
 * stops rather than limping on with state it can no longer trust.
 */
public final class Checks {
  private Checks() {}

  /** Checks an argument supplied by a caller. */
  public static void arg(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /** Checks an internal invariant. */
  public static void state(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
