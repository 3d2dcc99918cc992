package io.keel.chaos.cluster;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo actions run in reverse order exactly once: on {@link #close()}, or from a JVM shutdown hook
 * if the run is interrupted (Ctrl-C, SIGTERM). A SIGKILLed JVM runs neither; the next run's {@link
 * Leftovers#sweep()} covers that.
 */
public final class Cleanup implements AutoCloseable {
  private final Deque<Runnable> actions = new ArrayDeque<>();
  private final Thread hook = new Thread(this::runAll, "keel-chaos-cleanup");
  private boolean done;

  public Cleanup() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Registers an undo action; it runs before every action registered earlier. */
  public synchronized void add(Runnable action) {
    if (done) {
      throw new IllegalStateException("cleanup already ran");
    }
    actions.push(action);
  }

  private synchronized void runAll() {
    if (done) {
      return;
    }
    done = true;
    RuntimeException first = null;
    while (!actions.isEmpty()) {
      try {
        actions.pop().run();
      } catch (RuntimeException e) {
        // Keep undoing the rest; report the first failure afterwards.
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and the hook is running or has run.
    }
    runAll();
  }
}
