package io.keel.raft;

/**
 * The role a node plays in its group. A learner is a {@link #FOLLOWER} that is not a voter: it
 * never campaigns. Legal transitions are listed in {@link RoleTransitions}.
 */
public enum RaftRole {
  FOLLOWER,
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
