package io.keel.raft;

import java.util.Set;

/** Runs simulation seeds and turns a failure into a report with the replay command. */
final class SimRunner {
  private SimRunner() {}

  static String replayCommand(long seed) {
    return "./mvnw -B -pl raft test -Dtest=RaftSimulationTest -Dkeel.sim.seed=" + seed;
  }

  static String replayCommand(long seed, Set<RaftBug> bugs) {
    return bugs.isEmpty()
        ? replayCommand(seed)
        : replayCommand(seed) + " -Dkeel.sim.bug=" + bugs.iterator().next();
  }

  /** Runs one seed; returns null if every invariant held, else a failure report. */
  static String runSeed(long seed, Set<RaftBug> bugs) {
    return runSeed(seed, bugs, new java.util.TreeMap<>());
  }

  /** As {@link #runSeed(long, Set)}, adding the run's event counts to {@code counts}. */
  static String runSeed(long seed, Set<RaftBug> bugs, java.util.Map<String, Long> counts) {
    Simulation sim = new Simulation(seed, bugs);
    try {
      sim.run();
      sim.eventCounts().forEach((k, v) -> counts.merge(k, v, Long::sum));
      return null;
    } catch (SimInvariants.SimViolation | IllegalStateException | IllegalArgumentException e) {
      StringBuilder out = new StringBuilder();
      out.append("simulation seed ").append(seed).append(" failed at step ").append(sim.steps());
      out.append(bugs.isEmpty() ? "" : " (injected bugs " + bugs + ")").append('\n');
      out.append("replay: ").append(replayCommand(seed, bugs)).append('\n');
      out.append("violation: ").append(e.getMessage()).append('\n');
      out.append("options: ").append(sim.options()).append('\n');
      out.append("nodes:\n").append(sim.state());
      out.append("last events:\n").append(sim.trace());
      if (!(e instanceof SimInvariants.SimViolation)) {
        StackTraceElement[] stack = e.getStackTrace();
        for (int i = 0; i < Math.min(8, stack.length); i++) {
          out.append("    at ").append(stack[i]).append('\n');
        }
      }
      return out.toString();
    }
  }
}
