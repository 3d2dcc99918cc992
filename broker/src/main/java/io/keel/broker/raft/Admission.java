package io.keel.broker.raft;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Decides how a replica with a fresh store may take part in its group ({@link FreshStart}). The
 * broker asks the group's other members over the network ({@code ReplicaFences}); the answer
 * completes once it is safe, retrying until then.
 */
public interface Admission {

  /** How the replica starts: bootstrap, or behind a fence. */
  sealed interface Admit {}

  /** Bootstrap the group with its initial membership. */
  record Bootstrap() implements Admit {}

  /**
   * Start at {@code term} with a vote already cast for {@code leaderId}: {@code leaderId} committed
   * an entry in {@code term} after this replica lost its state, without it, so every term in which
   * the lost state promised anything is at most {@code term} (the proof is in docs/raft.md). {@code
   * index} is the fence entry's: every entry below it was in the log before the admission.
   */
  record Fenced(long term, int leaderId, long index) implements Admit {
    public Fenced {
      if (term <= 0 || leaderId <= 0 || index <= 0) {
        throw new IllegalArgumentException(
            "fence needs a term, a leader and an index > 0, was term "
                + term
                + " leader "
                + leaderId
                + " index "
                + index);
      }
    }
  }

  /**
   * Completes once the replica of {@code groupId} on this node may start; cancelling the future
   * stops the attempts. {@code voters} is the group's membership as the metadata knows it.
   */
  CompletableFuture<Admit> admit(long groupId, Set<Integer> voters, FreshStart mode);

  /** Bootstraps whatever the mode: for single-process tests that never lose a store. */
  Admission TRUSTING =
      (groupId, voters, mode) -> CompletableFuture.completedFuture(new Bootstrap());
}
