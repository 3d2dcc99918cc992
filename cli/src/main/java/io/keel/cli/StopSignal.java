package io.keel.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command end cleanly on Ctrl-C (SIGINT) or SIGTERM. The JVM's shutdown hook
 * sets {@link #requested()} and then waits, up to a grace period, until the command {@link #close()
 * closes} this, so the command can commit and print its partial summary before the JVM exits (with
 * {@value #EXIT_INTERRUPTED} after SIGINT, 143 after SIGTERM).
 */
final class StopSignal implements AutoCloseable {
  static final int EXIT_INTERRUPTED = 130;

  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean requested;

  private StopSignal(Duration grace) {
    this.hook = new Thread(() -> awaitDone(grace), "keel-stop");
  }

  /** Installs the hook; {@link #close()} removes it. */
  static StopSignal install(Duration grace) {
    StopSignal signal = new StopSignal(grace);
    Runtime.getRuntime().addShutdownHook(signal.hook);
    return signal;
  }

  boolean requested() {
    return requested;
  }

  private void awaitDone(Duration grace) {
    requested = true;
    try {
      done.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running: it returns now that done is counted down.
    }
  }
}
