package io.keel.raft;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

/**
 * The legal role transitions, in one place. Any other transition is a bug and throws.
 *
 * <pre>
 * from \ to      FOLLOWER  PRE_CANDIDATE  CANDIDATE  LEADER
 * FOLLOWER       yes (1)   yes (2)        yes (3)    -
 * PRE_CANDIDATE  yes (4)   yes (2)        yes (5)    -
 * CANDIDATE      yes (4)   yes (2)        yes (3)    yes (6)
 * LEADER         yes (7)   -              -          -
 * </pre>
 *
 * <ol>
 *   <li>a higher term or a new leader is seen
 *   <li>election timeout with pre-vote enabled
 *   <li>election timeout without pre-vote, or a TimeoutNow from the leader
 *   <li>a leader of the current or a higher term is seen, or the (pre-)vote is lost
 *   <li>the pre-vote is won
 *   <li>the vote is won
 *   <li>a higher term is seen, or check-quorum fails
 * </ol>
 */
final class RoleTransitions {
  private static final Map<RaftRole, EnumSet<RaftRole>> LEGAL = new EnumMap<>(RaftRole.class);

  static {
    LEGAL.put(
        RaftRole.FOLLOWER,
        EnumSet.of(RaftRole.FOLLOWER, RaftRole.PRE_CANDIDATE, RaftRole.CANDIDATE));
    LEGAL.put(
        RaftRole.PRE_CANDIDATE,
        EnumSet.of(RaftRole.FOLLOWER, RaftRole.PRE_CANDIDATE, RaftRole.CANDIDATE));
    LEGAL.put(RaftRole.CANDIDATE, EnumSet.allOf(RaftRole.class));
    LEGAL.put(RaftRole.LEADER, EnumSet.of(RaftRole.FOLLOWER));
  }

  private RoleTransitions() {}

  static boolean isLegal(RaftRole from, RaftRole to) {
    return LEGAL.get(from).contains(to);
  }

  /** Throws if {@code from -> to} is not in the table. */
  static void check(RaftRole from, RaftRole to) {
    Checks.state(isLegal(from, to), "illegal role transition %s -> %s", from, to);
  }
}
