package io.keel.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToLongFunction;

/** Majority arithmetic, kept pure so it can be table-tested. */
final class Quorum {
  private Quorum() {}

  /** The outcome of an election so far. */
  enum VoteResult {
    PENDING,
    WON,
    LOST
  }

  /**
   * The largest value that a majority of {@code voters} have reached, given each voter's value (for
   * example its match index). An empty voter set yields 0: nothing can be committed.
   */
  static long majorityValue(Set<Integer> voters, IntToLongFunction valueOf) {
    if (voters.isEmpty()) {
      return 0;
    }
    long[] values = new long[voters.size()];
    int k = 0;
    for (int id : voters) {
      values[k++] = valueOf.applyAsLong(id);
    }
    Arrays.sort(values);
    return values[values.length - (values.length / 2 + 1)];
  }

  /** Tallies granted and rejected votes; votes from non-voters are ignored. */
  static VoteResult tally(Set<Integer> voters, Map<Integer, Boolean> votes) {
    int granted = 0;
    int rejected = 0;
    for (int id : voters) {
      Boolean vote = votes.get(id);
      if (vote == null) {
        continue;
      }
      if (vote) {
        granted++;
      } else {
        rejected++;
      }
    }
    int quorum = voters.size() / 2 + 1;
    if (granted >= quorum) {
      return VoteResult.WON;
    }
    return voters.size() - rejected < quorum ? VoteResult.LOST : VoteResult.PENDING;
  }

  /** Whether the nodes in {@code active} form a majority of {@code voters}. */
  static boolean isQuorum(Set<Integer> voters, Set<Integer> active) {
    int count = 0;
    for (int id : voters) {
      if (active.contains(id)) {
        count++;
      }
    }
    return count >= voters.size() / 2 + 1;
  }
}
