package io.keel.broker.raft;

/**
 * A proposal will never commit as proposed: leadership was lost, another leader's entry replaced it
 * at the same index, or the group stopped. The client may retry against the current leader.
 */
public final class ProposalFailedException extends RuntimeException {
  private final long groupId;
  private final long index;

  public ProposalFailedException(long groupId, long index, String reason) {
    super("proposal at index " + index + " in group " + groupId + " failed: " + reason);
    this.groupId = groupId;
    this.index = index;
  }

  public long groupId() {
    return groupId;
  }

  public long index() {
    return index;
  }
}
