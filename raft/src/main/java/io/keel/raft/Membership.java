package io.keel.raft;

import java.util.Set;

/**
 * A group's configuration: voters decide elections and commits; learners only receive the log. Node
 * ids are positive integers. A node is never both a voter and a learner.
 */
public record Membership(Set<Integer> voters, Set<Integer> learners) {
  public Membership {
    voters = Set.copyOf(voters);
    learners = Set.copyOf(learners);
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
