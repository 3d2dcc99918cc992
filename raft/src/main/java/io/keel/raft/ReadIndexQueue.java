package io.keel.raft;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The leader's read-index requests. Each gets the commit index at request time and a read context;
 * it is released once a quorum has acknowledged a heartbeat carrying that context (or a later one).
 * Requests made before the leader committed an entry of its term wait for that first.
 */
final class ReadIndexQueue {
  private record PendingRead(long requestId, long index, long context) {}

  private final ArrayDeque<PendingRead> pending = new ArrayDeque<>();
  private final ArrayDeque<Long> awaitingTermCommit = new ArrayDeque<>();
  // Increases for the node's lifetime, so contexts from different terms never collide.
  private long lastContext;

  void awaitTermCommit(long requestId) {
    awaitingTermCommit.add(requestId);
  }

  /** The next request that waited for a commit in the term, or null. */
  Long pollAwaiting() {
    return awaitingTermCommit.poll();
  }

  /**
   * Registers a read at {@code commitIndex}; returns the context of the heartbeat round to send for
   * it. Any later round confirms it too, so reads survive a lost round.
   */
  long add(long requestId, long commitIndex) {
    long context = nextRound();
    pending.add(new PendingRead(requestId, commitIndex, context));
    return context;
  }

  /** The context of a new heartbeat round. */
  long nextRound() {
    return ++lastContext;
  }

  /** Reads waiting for confirmation or for the term's first commit. */
  int size() {
    return pending.size() + awaitingTermCommit.size();
  }

  /** Releases every read whose context a quorum confirmed. */
  void release(long confirmedContext, List<ReadState> out) {
    while (!pending.isEmpty() && pending.peek().context() <= confirmedContext) {
      PendingRead read = pending.poll();
      out.add(new ReadState(read.requestId(), read.index()));
    }
  }

  /** Leadership ended: pending reads are dropped; their callers time out and retry. */
  void clear() {
    pending.clear();
    awaitingTermCommit.clear();
  }
}
