package io.keel.chaos.history;

/** Time source for a run: monotonic nanos since the run started, plus wall clock for humans. */
public interface RunClock {
  long nanos();

  long wallMs();

  /** Clock that starts at zero now. */
  static RunClock startingNow() {
    long origin = System.nanoTime();
    return new RunClock() {
      @Override
      public long nanos() {
        return System.nanoTime() - origin;
      }

      @Override
      public long wallMs() {
        return System.currentTimeMillis();
      }
    };
  }
}
