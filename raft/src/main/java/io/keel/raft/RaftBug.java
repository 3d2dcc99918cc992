package io.keel.raft;

/**
 * Deliberate protocol bugs, switched on only by tests to prove the simulator catches them. Never
 * reachable from the public API.
 */
enum RaftBug {
  /** Commit an entry of an earlier term once a majority stores it (Raft paper, Figure 8). */
  COMMIT_OLD_TERM_BY_COUNTING,
  /** Send a granted vote without persisting it first. */
  VOTE_NOT_PERSISTED,
  /** Grant votes without checking that the candidate's log is up to date. */
  VOTE_FOR_STALE_LOG,
  /** A leader that steps down reports its whole log as committed. */
  DEPOSED_LEADER_ACKNOWLEDGES,
  /**
   * Heartbeats carry the leader's full commit index and followers commit up to it without checking
   * that they hold the leader's entry there.
   */
  HEARTBEAT_TRUSTS_COMMIT,
  /**
   * Trust the persisted commit index on restart (a torn Ready then applies overwritten entries).
   */
  TRUST_PERSISTED_COMMIT,
  /** The simulator's executor sends a Ready's messages (acknowledgements) before the sync. */
  ACK_BEFORE_PERSISTING,
  /**
   * The core lets a follower's append acknowledgements leave with the leader-style traffic that may
   * precede the sync ({@link Ready#messagesBeforeSync()}).
   */
  APPEND_ACK_BEFORE_SYNC,
  /** A delayed append whose entries all match truncates the entries after them. */
  STALE_APPEND_TRUNCATES,
  /** Accept a membership change while the previous one is not committed yet. */
  MEMBERSHIP_CHANGES_OVERLAP,
  /**
   * The old lease: answer lease reads at once while leader, with check-quorum evaluated only once
   * per electionTicks window (so an isolated leader lasts up to twice that).
   */
  LEASE_WITHOUT_QUORUM_ROUND
}
