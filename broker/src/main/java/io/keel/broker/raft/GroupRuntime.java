package io.keel.broker.raft;

import io.keel.raft.Membership;

/**
 * Hosts this node's Raft group replicas on a small fixed pool of event loops sharing one durable
 * store (one fsync per loop iteration covers every group on that loop) and one transport.
 */
public interface GroupRuntime {

  /**
   * Starts the local replica of {@code groupId}. A group with no stored state is bootstrapped with
   * {@code initial}; a group that already has state resumes from it and ignores {@code initial}.
   * Thread-safe.
   *
   * <p>The log of a group started this way is compacted only through {@link RaftGroup#compact} (for
   * partitions the Raft log is the data, so retention decides).
   *
   * @throws IllegalStateException if the group is already running
   */
  default RaftGroup startGroup(long groupId, Membership initial, GroupStateMachine sm) {
    return startGroup(groupId, initial, sm, FreshStart.BOOTSTRAP);
  }

  /**
   * Like {@link #startGroup(long, Membership, GroupStateMachine)}, but a fresh store is handled as
   * {@code fresh} says: only the members creating the group bootstrap it; a replica of a group that
   * exists waits for its admission (a term fence) and until then neither votes, campaigns nor
   * acknowledges ({@link RaftGroup#rejoining()}).
   */
  RaftGroup startGroup(long groupId, Membership initial, GroupStateMachine sm, FreshStart fresh);

  /**
   * Like {@link #startGroup(long, Membership, GroupStateMachine)}, but the runtime snapshots the
   * state machine and compacts the log on its own whenever the log holds more applied entries than
   * the configured interval (for groups whose state machine is small, like the metadata).
   */
  default RaftGroup startAutoCompactingGroup(
      long groupId, Membership initial, GroupStateMachine sm) {
    return startAutoCompactingGroup(groupId, initial, sm, FreshStart.BOOTSTRAP);
  }

  /**
   * The auto-compacting variant of {@link #startGroup(long, Membership, GroupStateMachine,
   * FreshStart)}.
   */
  RaftGroup startAutoCompactingGroup(
      long groupId, Membership initial, GroupStateMachine sm, FreshStart fresh);

  /**
   * The index of the entry that fenced this node's replica of {@code groupId} since the process
   * started (its store had lost its state), or 0 when it started from its own state or
   * bootstrapped. Thread-safe.
   */
  long fenceIndex(long groupId);

  /**
   * Stops the local replica; pending proposals fail with {@link ProposalFailedException}. With
   * {@code deleteData} its log and snapshot are removed too. No-op if not running. Thread-safe.
   */
  void stopGroup(long groupId, boolean deleteData);
}
