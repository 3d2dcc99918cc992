package io.keel.chaos.net;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fault state of one direction of traffic through a proxy. Blocked traffic is held back, not
 * discarded: TCP retransmits lost segments, so a cut link looks to the endpoints like a stall that
 * resumes when the link heals. Loss is emulated the same way, as a retransmission delay.
 */
final class LinkFault {
  /** Linux's minimum TCP retransmission timeout: what one lost segment costs. */
  static final long RETRANSMIT_NANOS = Duration.ofMillis(200).toNanos();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition open = lock.newCondition();
  private boolean blocked;
  private volatile long delayNanos;
  private volatile double lossRate;

  void setBlocked(boolean value) {
    lock.lock();
    try {
      blocked = value;
      if (!value) {
        open.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  boolean blocked() {
    lock.lock();
    try {
      return blocked;
    } finally {
      lock.unlock();
    }
  }

  void degrade(Degradation d) {
    delayNanos = d.delay().toNanos();
    lossRate = d.lossPercent() / 100.0;
  }

  /** Waits while the link is blocked. */
  void awaitOpen() throws InterruptedException {
    lock.lock();
    try {
      while (blocked) {
        open.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Extra latency for the next chunk: the fixed delay, plus a retransmission if "lost". */
  long chunkDelayNanos() {
    double loss = lossRate;
    boolean lost = loss > 0 && ThreadLocalRandom.current().nextDouble() < loss;
    return delayNanos + (lost ? RETRANSMIT_NANOS : 0);
  }
}
