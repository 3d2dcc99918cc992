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
  DEPOSED_LEADER_ACKNOWLEDGES
}
