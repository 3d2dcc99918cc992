package io.keel.chaos.history;

/**
 * An invocation paired with its completion. A missing completion (process crashed or run ended)
 * counts as INFO: the operation may or may not have taken effect.
 */
public record Operation(Event invoke, Event completion) {

  public Phase outcome() {
    return completion == null ? Phase.INFO : completion.type();
  }

  public boolean isOk() {
    return outcome() == Phase.OK;
  }

  /** The completion's op if completed, else the invocation's. */
  public Op op() {
    return completion == null ? invoke.op() : completion.op();
  }

  public int process() {
    return invoke.process();
  }

  public long invokeNanos() {
    return invoke.timeNanos();
  }

  /** Completion time; Long.MAX_VALUE when the operation never completed. */
  public long completeNanos() {
    return completion == null ? Long.MAX_VALUE : completion.timeNanos();
  }
}
