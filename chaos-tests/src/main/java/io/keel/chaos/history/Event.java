package io.keel.chaos.history;

/**
 * One line of history.jsonl.
 *
 * @param index position in the history, dense from 0
 * @param process logical client (or {@link #NEMESIS} for fault events); runs one op at a time
 * @param timeNanos System.nanoTime relative to the run start
 * @param wallMs wall clock, for humans correlating with broker logs
 * @param error why a FAIL/INFO completion ended that way, else null
 */
public record Event(
    long index, Phase type, int process, Op op, long timeNanos, long wallMs, String error) {

  /** Process id of the nemesis. */
  public static final int NEMESIS = -1;

  public double timeSeconds() {
    return timeNanos / 1e9;
  }
}
