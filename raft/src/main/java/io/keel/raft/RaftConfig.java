package io.keel.raft;

/**
 * Static configuration of one Raft group member. Time is counted in ticks of the caller's clock.
 *
 * @param groupId the group this node belongs to; carried by every message (multi-raft)
 * @param nodeId this node's id, {@code > 0}
 * @param electionTicks ticks without hearing from a leader before campaigning; the actual timeout
 *     is randomized in {@code [electionTicks, 2 * electionTicks)}
 * @param heartbeatTicks ticks between a leader's heartbeats; must be less than electionTicks
 * @param maxInflightAppends append requests a leader may have unacknowledged per follower
 * @param maxAppendBytes upper bound on the entry bytes in one append request (at least one entry is
 *     always sent) and on the committed entries handed out in one {@link Ready}
 * @param maxInflightBytes entry bytes a leader may have unacknowledged per follower
 * @param snapshotChunkBytes bytes of snapshot data per {@link Message.SnapshotChunk}
 * @param preVote run a pre-vote round before incrementing the term
 * @param checkQuorum a leader steps down once a quorum has not answered it for electionTicks, and a
 *     voter that heard from a leader within electionTicks (or restarted less than electionTicks
 *     ago) ignores vote requests; at least one of preVote and checkQuorum must be on, or a removed
 *     or partitioned server raises the term without bound
 * @param leaseReads answer read-index requests from the leader lease without a heartbeat round;
 *     requires checkQuorum on every member. The lease runs from the send time of the last heartbeat
 *     round a quorum acknowledged, for {@code (electionTicks - 1) * 100 / (100 +
 *     leaseClockDriftPercent)} ticks, so it ends before any voter that acknowledged that round can
 *     vote for another candidate. Safe only while no member's tick rate exceeds another's by more
 *     than leaseClockDriftPercent and the caller delivers every tick that is due (ticks missed
 *     while paused are delivered before anything else)
 * @param leaseClockDriftPercent the largest difference between members' tick rates, in percent of
 *     the slower rate, that lease reads tolerate
 * @param maxUncommittedProposalBytes entry bytes a leader accepts beyond its commit index before
 *     {@code propose} refuses with {@link ProposalRejectedException}
 * @param maxUncommittedProposals entries a leader accepts beyond its commit index before {@code
 *     propose} refuses with {@link ProposalRejectedException}
 * @param maxPendingReads read-index requests a leader holds unconfirmed before {@code readIndex}
 *     refuses with {@link ProposalRejectedException}
 * @param entryCacheBytes bytes of just-stored entries kept in memory per group until applied and
 *     replicated to every member (0: read everything back from storage)
 */
public record RaftConfig(
    long groupId,
    int nodeId,
    int electionTicks,
    int heartbeatTicks,
    int maxInflightAppends,
    long maxAppendBytes,
    long maxInflightBytes,
    int snapshotChunkBytes,
    boolean preVote,
    boolean checkQuorum,
    boolean leaseReads,
    int leaseClockDriftPercent,
    long maxUncommittedProposalBytes,
    int maxUncommittedProposals,
    int maxPendingReads,
    long entryCacheBytes) {
  static final int DEFAULT_LEASE_CLOCK_DRIFT_PERCENT = 10;
  static final long DEFAULT_MAX_UNCOMMITTED_PROPOSAL_BYTES = 64L << 20;
  static final int DEFAULT_MAX_UNCOMMITTED_PROPOSALS = 100_000;
  static final int DEFAULT_MAX_PENDING_READS = 10_000;
  static final long DEFAULT_ENTRY_CACHE_BYTES = 1L << 20;

  public RaftConfig {
    Checks.arg(nodeId > 0, "nodeId must be > 0, was %s", nodeId);
    Checks.arg(heartbeatTicks > 0, "heartbeatTicks must be > 0, was %s", heartbeatTicks);
    Checks.arg(
        electionTicks > heartbeatTicks,
        "electionTicks (%s) must be > heartbeatTicks (%s)",
        electionTicks,
        heartbeatTicks);
    Checks.arg(
        maxInflightAppends > 0, "maxInflightAppends must be > 0, was %s", maxInflightAppends);
    Checks.arg(maxAppendBytes > 0, "maxAppendBytes must be > 0, was %s", maxAppendBytes);
    Checks.arg(maxInflightBytes > 0, "maxInflightBytes must be > 0, was %s", maxInflightBytes);
    Checks.arg(
        snapshotChunkBytes > 0, "snapshotChunkBytes must be > 0, was %s", snapshotChunkBytes);
    Checks.arg(
        preVote || checkQuorum,
        "preVote and checkQuorum are both off: a removed or partitioned server would raise the"
            + " term without bound");
    Checks.arg(!leaseReads || checkQuorum, "leaseReads requires checkQuorum");
    Checks.arg(
        leaseClockDriftPercent >= 0,
        "leaseClockDriftPercent must be >= 0, was %s",
        leaseClockDriftPercent);
    Checks.arg(
        maxUncommittedProposalBytes > 0,
        "maxUncommittedProposalBytes must be > 0, was %s",
        maxUncommittedProposalBytes);
    Checks.arg(
        maxUncommittedProposals > 0,
        "maxUncommittedProposals must be > 0, was %s",
        maxUncommittedProposals);
    Checks.arg(maxPendingReads > 0, "maxPendingReads must be > 0, was %s", maxPendingReads);
    Checks.arg(entryCacheBytes >= 0, "entryCacheBytes must be >= 0, was %s", entryCacheBytes);
  }

  /** The configuration without lease drift or back-pressure settings: their defaults apply. */
  public RaftConfig(
      long groupId,
      int nodeId,
      int electionTicks,
      int heartbeatTicks,
      int maxInflightAppends,
      long maxAppendBytes,
      long maxInflightBytes,
      int snapshotChunkBytes,
      boolean preVote,
      boolean checkQuorum,
      boolean leaseReads) {
    this(
        groupId,
        nodeId,
        electionTicks,
        heartbeatTicks,
        maxInflightAppends,
        maxAppendBytes,
        maxInflightBytes,
        snapshotChunkBytes,
        preVote,
        checkQuorum,
        leaseReads,
        DEFAULT_LEASE_CLOCK_DRIFT_PERCENT,
        DEFAULT_MAX_UNCOMMITTED_PROPOSAL_BYTES,
        DEFAULT_MAX_UNCOMMITTED_PROPOSALS,
        DEFAULT_MAX_PENDING_READS,
        DEFAULT_ENTRY_CACHE_BYTES);
  }

  /**
   * The defaults listed in the contract: 10 election ticks, 1 heartbeat tick, 1 MiB appends, 64 MiB
   * or 100,000 uncommitted proposals, 10,000 pending reads, a 1 MiB entry cache.
   */
  public static RaftConfig defaults(long groupId, int nodeId) {
    return new RaftConfig(
        groupId, nodeId, 10, 1, 64, 1L << 20, 32L << 20, 1 << 20, true, true, false);
  }

  /** A copy with different election and heartbeat ticks. */
  public RaftConfig withTicks(int newElectionTicks, int newHeartbeatTicks) {
    return new RaftConfig(
        groupId,
        nodeId,
        newElectionTicks,
        newHeartbeatTicks,
        maxInflightAppends,
        maxAppendBytes,
        maxInflightBytes,
        snapshotChunkBytes,
        preVote,
        checkQuorum,
        leaseReads,
        leaseClockDriftPercent,
        maxUncommittedProposalBytes,
        maxUncommittedProposals,
        maxPendingReads,
        entryCacheBytes);
  }

  /** How many ticks a lease lasts from the send time of a quorum-acknowledged heartbeat round. */
  int leaseTicks() {
    return (electionTicks - 1) * 100 / (100 + leaseClockDriftPercent);
  }
}
