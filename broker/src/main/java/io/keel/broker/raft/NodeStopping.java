package io.keel.broker.raft;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Failures a node produces while it stops: its executors refuse new work and its pending futures
 * are cancelled. A request that hits one was not wrong: it answers the retriable NODE_SHUTTING_DOWN
 * (the client looks for another node), not UNKNOWN.
 */
public final class NodeStopping {
  private NodeStopping() {}

  /** Whether {@code t} (already unwrapped) is such a failure. */
  public static boolean causedBy(Throwable t) {
    return t instanceof RejectedExecutionException || t instanceof CancellationException;
  }

  /** The message of the NODE_SHUTTING_DOWN answer. */
  public static String message(Throwable t) {
    return "node is stopping (" + t.getClass().getSimpleName() + ")";
  }
}
