package io.keel.broker.partition;

import java.util.ArrayList;
import java.util.List;

/**
 * Long-poll fetches parked on one partition. A waiter is a one-shot callback run on the partition's
 * event loop when the high watermark or the leadership changes; no thread waits.
 */
final class FetchWaiters {
  private List<Runnable> waiting = new ArrayList<>();

  void add(Runnable wake) {
    waiting.add(wake);
  }

  /** Runs and forgets every waiter; a waiter may register again while this runs. */
  void wakeAll() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Runnable> woken = waiting;
    waiting = new ArrayList<>();
    woken.forEach(Runnable::run);
  }

  int size() {
    return waiting.size();
  }
}
