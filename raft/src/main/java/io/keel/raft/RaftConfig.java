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
 * @param checkQuorum a leader steps down when it has not heard from a quorum for electionTicks, and
 *     followers that hear from a leader ignore vote requests for electionTicks
 * @param leaseReads serve read-index requests from the leader's lease without a heartbeat round;
 *     requires checkQuorum and is safe only while node clocks advance at similar rates
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
    boolean leaseReads) {

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
    Checks.arg(!leaseReads || checkQuorum, "leaseReads requires checkQuorum");
  }

  /** The defaults listed in the contract: 10 election ticks, 1 heartbeat tick, 1 MiB appends. */
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
        leaseReads);
  }
}
