package io.keel.raft;

/** Thrown when an operation needs the leader (or a leader not transferring leadership). */
public final class NotLeaderException extends RuntimeException {
  private final int leaderId;

  public NotLeaderException(long groupId, int nodeId, int leaderId, String reason) {
    super(
        "group "
            + groupId
            + ": node "
            + nodeId
            + " cannot serve this: "
            + reason
            + " (leader "
            + (leaderId == 0 ? "unknown" : leaderId)
            + ")");
    this.leaderId = leaderId;
  }

  /** The leader this node knows of, 0 when unknown (or when the leader is this node). */
  public int leaderId() {
    return leaderId;
  }
}
