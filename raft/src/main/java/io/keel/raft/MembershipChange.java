package io.keel.raft;

/** One single-server membership change, proposed with {@link RaftNode#proposeMembership}. */
public sealed interface MembershipChange {

  /** The node the change is about. */
  int nodeId();

  /** Adds a non-voting member that receives the log. */
  record AddLearner(int nodeId) implements MembershipChange {
    public AddLearner {
      Checks.arg(nodeId > 0, "nodeId must be > 0, was %s", nodeId);
    }
  }

  /** Turns a caught-up learner into a voter. */
  record PromoteLearner(int nodeId) implements MembershipChange {
    public PromoteLearner {
      Checks.arg(nodeId > 0, "nodeId must be > 0, was %s", nodeId);
    }
  }

  /** Removes a voter or learner. */
  record RemoveNode(int nodeId) implements MembershipChange {
    public RemoveNode {
      Checks.arg(nodeId > 0, "nodeId must be > 0, was %s", nodeId);
    }
  }
}
