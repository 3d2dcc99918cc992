package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Randomised deterministic simulation of Raft groups under network faults, crashes, clock skew,
 * membership changes, leadership transfers and snapshots. {@code -Dkeel.sim.seeds=N} sets the
 * number of seeds (starting at {@code -Dkeel.sim.firstSeed=F}, default 0), {@code
 * -Dkeel.sim.seed=S} replays one, and {@code -Dkeel.sim.bug=NAME} replays a {@link
 * BugInjectionTest} failure with its bug switched on.
 */
class RaftSimulationTest {
  private static final int DEFAULT_SEEDS = 1000;
  private static final List<String> EXERCISED =
      List.of(
          "recv VoteRequest",
          "recv TimeoutNow",
          "recv SnapshotChunk",
          "install",
          "compact",
          "membership",
          "transfer",
          "read",
          "crash",
          "restart",
          "doomed",
          "partition",
          "heal",
          "propose",
          "torn",
          "pause",
          "resume",
          "wipe");

  @Test
  void invariantsHoldForEverySeed() {
    Long replay = Long.getLong("keel.sim.seed");
    long first = replay != null ? replay : Long.getLong("keel.sim.firstSeed", 0);
    String bug = System.getProperty("keel.sim.bug");
    Set<RaftBug> bugs = bug == null ? Set.of() : Set.of(RaftBug.valueOf(bug));
    long count = replay != null ? 1 : Integer.getInteger("keel.sim.seeds", DEFAULT_SEEDS);
    System.out.printf(
        "Raft simulation: seeds %d..%d; replay one with %s%n",
        first, first + count - 1, SimRunner.replayCommand(first).replace(first + "", "<seed>"));
    Map<String, Long> counts = new TreeMap<>();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long cpuStart = cpu.getCurrentThreadCpuTime();
    long wallStart = System.nanoTime();
    for (long seed = first; seed < first + count; seed++) {
      String failure = SimRunner.runSeed(seed, bugs, counts);
      if (failure != null) {
        System.out.println(failure);
        fail(
            "simulation seed "
                + seed
                + " failed (report above); replay: "
                + SimRunner.replayCommand(seed, bugs));
      }
    }
    System.out.printf(
        "Raft simulation: %d seeds in %.1f s wall, %.1f s CPU%n",
        count,
        (System.nanoTime() - wallStart) / 1e9,
        (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9);
    System.out.println("Raft simulation event counts: " + counts);
    if (count >= 100) {
      for (String feature : EXERCISED) {
        assertTrue(counts.getOrDefault(feature, 0L) > 0, "simulator never exercised " + feature);
      }
    }
  }
}
