package io.keel.chaos.nemesis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The nemesis's sense of time: real in runs, virtual in tests. */
public interface Pacer {
  long nanos();

  /** Waits for the duration; returns false (early) once {@link #stop()} was called. */
  boolean sleep(Duration duration);

  void stop();

  static Pacer real() {
    CountDownLatch stopped = new CountDownLatch(1);
    return new Pacer() {
      @Override
      public long nanos() {
        return System.nanoTime();
      }

      @Override
      public boolean sleep(Duration d) {
        try {
          return !stopped.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }

      @Override
      public void stop() {
        stopped.countDown();
      }
    };
  }
}
