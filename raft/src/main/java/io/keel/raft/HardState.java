package io.keel.raft;

/**
 * The state a node must persist before it answers any message that depends on it.
 *
 * @param term the latest term this node has seen
 * @param vote the node voted for in {@code term}, or {@link #NO_VOTE}
 * @param commit the highest index known committed (persisted so a restart can re-apply quickly)
 */
public record HardState(long term, int vote, long commit) {
  public static final int NO_VOTE = 0;
  public static final HardState EMPTY = new HardState(0, NO_VOTE, 0);

  public HardState {
    Checks.arg(term >= 0, "term must be >= 0, was %s", term);
    Checks.arg(vote >= 0, "vote must be >= 0, was %s", vote);
    Checks.arg(commit >= 0, "commit must be >= 0, was %s", commit);
  }
}
