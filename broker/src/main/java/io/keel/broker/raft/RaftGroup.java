package io.keel.broker.raft;

import io.keel.raft.Membership;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Handle to one local Raft group replica. Call only on {@link #executor()} unless stated. The
 * getters ({@link #isLeader()} through {@link #followerMatchIndexes()}) may be called from any
 * thread and return the state as of the group's last event-loop iteration; {@link #readIndex()},
 * {@link #transferLeadership(int)} and {@link #compact(long)} queue their work and are safe from
 * anywhere, state machine callbacks included. {@link #propose(byte[])} must not be called from a
 * {@link GroupStateMachine} callback: submit it to the executor instead.
 */
public interface RaftGroup {

  /** Thread-safe. */
  long groupId();

  /** The group's event loop; thread-safe to submit to. */
  Executor executor();

  /**
   * Proposes {@code data} as a NORMAL entry.
   *
   * @throws io.keel.raft.NotLeaderException if this replica is not the leader
   */
  Proposal propose(byte[] data);

  boolean isLeader();

  /** The known leader's node id, 0 when unknown. */
  int leaderId();

  long term();

  long commitIndex();

  long appliedIndex();

  /** A linearizable read point: completes once the local state machine has applied it. */
  CompletableFuture<Long> readIndex();

  void transferLeadership(int nodeId);

  Membership membership();

  /**
   * Snapshots the state machine ({@link GroupStateMachine#takeSnapshot()}, which must describe the
   * state as of {@code index}) and discards the log up to {@code index}; used by retention.
   * Requires {@code index <= appliedIndex()}. Queued: safe to call from anywhere.
   */
  void compact(long index);

  /** Leader only: the match index of every other replica, by node id. */
  Map<Integer, Long> followerMatchIndexes();

  /**
   * Thread-safe: why this replica was quarantined (stopped after a storage error or a broken
   * invariant, while the node serves its other groups), or empty while it runs.
   */
  default Optional<Throwable> quarantineCause() {
    return Optional.empty();
  }

  /**
   * Thread-safe: whether this replica's store was fresh for a group that exists and it waits for
   * its admission (a term fence from the leader) before it takes part.
   */
  default boolean rejoining() {
    return false;
  }
}
