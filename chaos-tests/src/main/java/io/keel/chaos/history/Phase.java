package io.keel.chaos.history;

/** Where an event sits in an operation's life: its invocation or one of three completions. */
public enum Phase {
  INVOKE,
  /** Definitely happened. */
  OK,
  /** Definitely did not happen. */
  FAIL,
  /** Indeterminate: may or may not have happened (timeout, crash, lost connection). */
  INFO;

  public boolean isCompletion() {
    return this != INVOKE;
  }
}
