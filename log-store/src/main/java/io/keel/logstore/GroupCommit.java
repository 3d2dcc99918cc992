package io.keel.logstore;

/**
 * Shares one fsync among concurrent {@code sync()} callers. A caller's writes precede its ticket;
 * an fsync that starts after ticket {@code t} was issued covers every write of tickets up to {@code
 * t}. A caller that arrives while an fsync is running waits for the next one, which one of the
 * waiters performs for all of them.
 */
final class GroupCommit {
  private final Runnable fsync;
  private long issued;
  // Invariant: covered <= issued; every ticket <= covered is durable.
  private long covered;
  private boolean running;

  GroupCommit(Runnable fsync) {
    this.fsync = fsync;
  }

  void sync() {
    long target;
    synchronized (this) {
      long ticket = ++issued;
      while (covered < ticket && running) {
        waitUninterruptibly();
      }
      if (covered >= ticket) {
        return;
      }
      running = true;
      target = issued;
    }
    boolean ok = false;
    try {
      fsync.run();
      ok = true;
    } finally {
      synchronized (this) {
        running = false;
        if (ok) {
          covered = Math.max(covered, target);
        }
        notifyAll();
      }
    }
  }

  private void waitUninterruptibly() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a shared fsync", e);
    }
  }
}
