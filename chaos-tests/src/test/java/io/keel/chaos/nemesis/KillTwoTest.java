package io.keel.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.RunClock;
import io.keel.chaos.net.Degradation;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KillTwoTest {
  @Test
  void killsTwoDistinctNodesTogetherAndRestartsBothAtTheHeal() {
    FakeCluster cluster = new FakeCluster(5, false);
    HistoryRecorder history = HistoryRecorder.inMemory(RunClock.startingNow());
    Random random = new Random(3);
    Nemesis nemesis =
        new Nemesis(
            cluster,
            history,
            new Planner(
                random, ClusterView.UNKNOWN, cluster.nodeIds(), new Degradation(Duration.ZERO, 0)),
            EnumSet.of(FaultKind.KILL_TWO),
            new NemesisTiming(
                Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(8), Duration.ofSeconds(8)),
            random,
            new VirtualPacer(),
            Duration.ofSeconds(30));
    nemesis.run();

    List<String> log = cluster.log;
    assertTrue(nemesis.faultsStarted() >= 2, log.toString());
    for (int i = 0; i < nemesis.faultsStarted(); i++) {
      List<String> round = log.subList(4 * i, 4 * i + 4);
      String a = round.get(0).substring("kill ".length());
      String b = round.get(1).substring("kill ".length());
      assertTrue(!a.equals(b) && round.get(0).startsWith("kill "), round.toString());
      assertEquals(List.of("kill " + a, "kill " + b, "start " + a, "start " + b), round);
    }
    Op.Fault heal = (Op.Fault) history.snapshot().operations(Op.Fault.class).get(1).op();
    assertTrue(heal.detail().endsWith("all ready"), heal.detail());
    assertTrue(cluster.healthy(), log.toString());
  }
}
