package io.keel.raft;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A group's configuration: voters decide elections and commits; learners only receive the log. Node
 * ids are positive integers. A node is never both a voter and a learner.
 */
public record Membership(Set<Integer> voters, Set<Integer> learners) {
  public Membership {
    // Sorted, so iteration (and therefore message order) is the same in every JVM: Set.copyOf's
    // order changes from run to run, which would break simulation replay.
    voters = Collections.unmodifiableSet(new TreeSet<>(voters));
    learners = Collections.unmodifiableSet(new TreeSet<>(learners));
    for (int id : voters) {
      Checks.arg(id > 0, "node id must be > 0, was %s", id);
      Checks.arg(!learners.contains(id), "node %s is both voter and learner", id);
    }
  }

  public static Membership ofVoters(Set<Integer> voters) {
    return new Membership(voters, Set.of());
  }

  public boolean contains(int nodeId) {
    return voters.contains(nodeId) || learners.contains(nodeId);
  }
}
