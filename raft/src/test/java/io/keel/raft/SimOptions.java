package io.keel.raft;

import java.util.random.RandomGenerator;

/**
 * One seed's randomised ("swarm") choice of cluster shape and fault rates. Rates are per step
 * probabilities unless named otherwise.
 */
record SimOptions(
    int initialVoters,
    int spareNodes,
    int electionTicks,
    boolean preVote,
    int baseTickPeriod,
    int tickSkew,
    int maxDelaySteps,
    double dropRate,
    double dupRate,
    double partitionRate,
    double crashRate,
    double newLeaderCrashRate,
    double proposeRate,
    double membershipRate,
    double transferRate,
    double readRate,
    double compactRate,
    long maxAppendBytes,
    int maxInflightAppends,
    long maxInflightBytes,
    int snapshotChunkBytes,
    int snapshotPaddingBytes,
    boolean checkQuorum,
    boolean leaseReads,
    int heartbeatTicks,
    boolean batchReadies,
    double pauseRate,
    double learnerWipeRate,
    boolean failMinorityAtHeal,
    double tornOverwriteRate,
    long entryCacheBytes) {

  static SimOptions random(RandomGenerator r) {
    return new SimOptions(
            r.nextBoolean() ? 3 : 5,
            r.nextInt(3),
            5 + r.nextInt(6),
            r.nextInt(4) != 0,
            8,
            pick(r, 0, 2, 5),
            pick(r, 2, 6, 20),
            pick(r, 0.0, 0.02, 0.1),
            pick(r, 0.0, 0.02, 0.05),
            pick(r, 0.0, 0.002, 0.006),
            pick(r, 0.0, 0.001, 0.003),
            pick(r, 0.0, 0.5, 0.9),
            pick(r, 0.02, 0.1, 0.3),
            pick(r, 0.0, 0.002, 0.01),
            pick(r, 0.0, 0.001, 0.004),
            pick(r, 0.0, 0.01, 0.05),
            pick(r, 0.0, 0.003, 0.02),
            pick(r, 1L, 200L, 1L << 20),
            pick(r, 1, 4, 64),
            pick(r, 1L << 10, 64L << 10, 32L << 20),
            pick(r, 32, 700, 1 << 20),
            pick(r, 0, 100, 3000),
            r.nextInt(4) != 0,
            r.nextBoolean(),
            pick(r, 1, 1, 2, 3),
            r.nextInt(4) != 0,
            pick(r, 0.0, 0.0005, 0.002),
            pick(r, 0.0, 0.001, 0.004),
            r.nextInt(3) == 0,
            pick(r, 0.0, 0.3, 0.9),
            pick(r, 0L, 300L, 1L << 20))
        .valid();
  }

  /** Refused combinations (RaftConfig rejects them) are mapped to the nearest allowed one. */
  private SimOptions valid() {
    boolean quorumCheck = checkQuorum || !preVote;
    int heartbeat = Math.min(heartbeatTicks, electionTicks - 1);
    return new SimOptions(
        initialVoters,
        spareNodes,
        electionTicks,
        preVote,
        baseTickPeriod,
        tickSkew,
        maxDelaySteps,
        dropRate,
        dupRate,
        partitionRate,
        crashRate,
        newLeaderCrashRate,
        proposeRate,
        membershipRate,
        transferRate,
        readRate,
        compactRate,
        maxAppendBytes,
        maxInflightAppends,
        maxInflightBytes,
        snapshotChunkBytes,
        snapshotPaddingBytes,
        quorumCheck,
        leaseReads && quorumCheck,
        heartbeat,
        batchReadies,
        pauseRate,
        learnerWipeRate,
        failMinorityAtHeal,
        tornOverwriteRate,
        entryCacheBytes);
  }

  /** The tick-rate difference the clocks of this run can reach, as the lease must assume. */
  int clockDriftPercent() {
    return (tickSkew * 100 + baseTickPeriod - 1) / baseTickPeriod;
  }

  RaftConfig raftConfig(long groupId, int nodeId) {
    return new RaftConfig(
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
        clockDriftPercent(),
        64L << 20,
        100_000,
        10_000,
        entryCacheBytes);
  }

  @SafeVarargs
  private static <T> T pick(RandomGenerator r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }
}
