package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @Test
  void callersArrivingDuringAnFsyncShareTheNextOne() throws Exception {
    AtomicInteger fsyncs = new AtomicInteger();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    GroupCommit commit =
        new GroupCommit(
            () -> {
              if (fsyncs.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
              }
            });
    Thread first = new Thread(commit::sync);
    first.start();
    assertTrue(firstStarted.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));

    List<Thread> late = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Thread t = new Thread(commit::sync);
      late.add(t);
      t.start();
    }
    for (Thread t : late) {
      waitUntilWaiting(t);
    }
    releaseFirst.countDown();
    first.join(DEADLINE.toMillis());
    for (Thread t : late) {
      t.join(DEADLINE.toMillis());
      assertTrue(!t.isAlive(), "a late caller is still waiting");
    }
    assertEquals(2, fsyncs.get(), "five late callers share one fsync");
  }

  @Test
  void aFailedFsyncFailsItsCallerAndTheNextCallerRetries() {
    AtomicBoolean fail = new AtomicBoolean(true);
    AtomicInteger fsyncs = new AtomicInteger();
    GroupCommit commit =
        new GroupCommit(
            () -> {
              fsyncs.incrementAndGet();
              if (fail.get()) {
                throw new StorageException("fsync failed", null);
              }
            });
    assertThrows(StorageException.class, commit::sync);
    fail.set(false);
    commit.sync();
    assertEquals(2, fsyncs.get());
  }

  private static void waitUntilWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (t.getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() < deadline, "thread never blocked: " + t.getState());
      Thread.sleep(1);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
