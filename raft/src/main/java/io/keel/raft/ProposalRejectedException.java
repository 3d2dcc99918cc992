package io.keel.raft;

/**
 * Back-pressure: the leader holds as much uncommitted or unconfirmed work as its {@link RaftConfig}
 * allows. Nothing was appended or registered; the caller may retry once earlier work commits (a
 * retriable error for clients).
 */
public final class ProposalRejectedException extends RuntimeException {
  /** Which limit refused the request. */
  public enum Reason {
    /** {@link RaftConfig#maxUncommittedProposalBytes()} would be exceeded. */
    UNCOMMITTED_BYTES,
    /** {@link RaftConfig#maxUncommittedProposals()} would be exceeded. */
    UNCOMMITTED_COUNT,
    /** {@link RaftConfig#maxPendingReads()} is reached. */
    PENDING_READS
  }

  private final Reason reason;

  public ProposalRejectedException(long groupId, Reason reason, long current, long limit) {
    super(
        "group "
            + groupId
            + ": "
            + reason
            + " limit reached ("
            + current
            + " of "
            + limit
            + "); retry after earlier work commits");
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
