package io.keel.chaos.net;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or a deadline passes. */
final class Deadline {
  private Deadline() {}

  static void await(Duration timeout, Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
