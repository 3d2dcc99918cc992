package io.keel.raft;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Proves the simulator has teeth: each deliberately injected bug must be caught. */
class BugInjectionTest {
  private static final int DEFAULT_SEEDS = 1000;

  @ParameterizedTest
  @EnumSource(RaftBug.class)
  void simulatorCatchesInjectedBug(RaftBug bug) {
    int seeds = Integer.getInteger("keel.sim.seeds", DEFAULT_SEEDS);
    for (long seed = 0; seed < seeds; seed++) {
      String failure = SimRunner.runSeed(seed, Set.of(bug));
      if (failure != null) {
        String firstLines = String.join("\n", failure.lines().limit(4).toList());
        System.out.printf("%s caught at seed %d:%n%s%n", bug, seed, firstLines);
        return;
      }
    }
    fail("the simulator did not catch " + bug + " in " + seeds + " seeds");
  }
}
