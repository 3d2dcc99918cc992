package io.keel.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.history.Event;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.RunClock;
import io.keel.chaos.net.Degradation;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NemesisTest {
  private static final NemesisTiming TIMING =
      new NemesisTiming(
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(1),
          Duration.ofSeconds(3));
  private static final Degradation NETEM = new Degradation(Duration.ofMillis(50), 5);

  /** Partition 0's leader is node 2; the controller is node 3. */
  private static final ClusterView VIEW =
      new ClusterView() {
        @Override
        public int partitionCount() {
          return 1;
        }

        @Override
        public OptionalInt partitionLeader(int partition) {
          return OptionalInt.of(2);
        }

        @Override
        public OptionalInt controllerLeader() {
          return OptionalInt.of(3);
        }
      };

  private record Run(FakeCluster cluster, List<Operation> faults, int started) {}

  private static Run run(long seed, Set<FaultKind> kinds, boolean netem) {
    return run(seed, kinds, new FakeCluster(5, netem));
  }

  private static Run run(long seed, Set<FaultKind> kinds, FakeCluster cluster) {
    HistoryRecorder history = HistoryRecorder.inMemory(RunClock.startingNow());
    Random random = new Random(seed);
    Planner planner = new Planner(random, VIEW, cluster.nodeIds(), NETEM);
    Nemesis nemesis =
        new Nemesis(
            cluster,
            history,
            planner,
            kinds,
            TIMING,
            random,
            new VirtualPacer(),
            Duration.ofMinutes(5));
    nemesis.run();
    nemesis.healAll();
    return new Run(cluster, history.snapshot().operations(Op.Fault.class), nemesis.faultsStarted());
  }

  @Test
  void everyFaultIsRecordedStartedThenHealedAndTheClusterEndsHealthy() {
    Run run = run(42, EnumSet.allOf(FaultKind.class), true);

    assertTrue(run.started() > 30, "expected many faults in 5 virtual minutes: " + run.started());
    assertTrue(run.cluster().healthy(), run.cluster().log.toString());
    List<Operation> faults = run.faults();
    assertEquals(2 * run.started() + 1, faults.size());
    for (int i = 0; i + 1 < faults.size() - 1; i += 2) {
      Op.Fault start = (Op.Fault) faults.get(i).op();
      Op.Fault heal = (Op.Fault) faults.get(i + 1).op();
      assertEquals(Op.FaultAction.START, start.action());
      assertEquals(Op.FaultAction.HEAL, heal.action());
      assertEquals(start.name(), heal.name());
      assertTrue(faults.get(i).isOk(), faults.get(i).toString());
      assertEquals(Event.NEMESIS, faults.get(i).process());
    }
    assertEquals("heal-all", ((Op.Fault) faults.getLast().op()).name());
  }

  @Test
  void sameSeedSameSchedule() {
    Set<FaultKind> kinds = FaultKind.parse("kill,pause,partition");
    assertEquals(run(7, kinds, false).cluster().log, run(7, kinds, false).cluster().log);
    assertFalse(run(7, kinds, false).cluster().log.equals(run(8, kinds, false).cluster().log));
  }

  @Test
  void leaderFaultsTargetTheLeaderFromTheView() {
    Run run = run(1, EnumSet.of(FaultKind.KILL_LEADER, FaultKind.KILL_CONTROLLER), false);
    assertTrue(
        run.cluster().log.stream()
            .filter(s -> s.startsWith("kill"))
            .allMatch(s -> s.equals("kill 2") || s.equals("kill 3")),
        run.cluster().log.toString());
  }

  @Test
  void netemIsSkippedWhenTheNetworkCannotDoItAndAloneIsAnError() {
    FakeCluster noNetem = new FakeCluster(3, false);
    assertEquals(
        List.of(FaultKind.NETEM),
        Nemesis.skippedKinds(EnumSet.of(FaultKind.NETEM, FaultKind.KILL_NODE), noNetem));
    Run run = run(3, EnumSet.of(FaultKind.NETEM, FaultKind.PAUSE_NODE), false);
    assertTrue(run.cluster().log.stream().noneMatch(s -> s.equals("degrade")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Nemesis(
                noNetem,
                HistoryRecorder.inMemory(RunClock.startingNow()),
                new Planner(new Random(1), VIEW, noNetem.nodeIds(), NETEM),
                EnumSet.of(FaultKind.NETEM),
                TIMING,
                new Random(1),
                new VirtualPacer(),
                Duration.ofMinutes(1)));
  }

  @Test
  void diskFaultsAreSkippedWithoutLazyDisks() {
    FakeCluster plain = new FakeCluster(3, true);
    plain.lazyDisks = false;
    assertEquals(
        List.of(FaultKind.POWER_LOSS_ALL, FaultKind.DISK_FULL, FaultKind.FSYNC_ERROR),
        Nemesis.skippedKinds(FaultKind.parse("power-loss-all,disk,full,wipe,fsync-error"), plain));
    Run run = run(5, FaultKind.parse("power,bitflip"), plain);
    assertTrue(run.cluster().log.stream().noneMatch(s -> s.startsWith("power-loss")));
    assertTrue(run.cluster().log.stream().anyMatch(s -> s.startsWith("damage")));
  }

  @Test
  void powerLossCutsTheChosenNodesTogetherAndHealingStartsThem() {
    Run all = run(9, EnumSet.of(FaultKind.POWER_LOSS_ALL), false);
    assertTrue(all.cluster().log.contains("power-loss [1, 2, 3, 4, 5]"), all.cluster().log.get(0));
    assertTrue(all.cluster().healthy(), all.cluster().log.toString());
    Run minority = run(9, EnumSet.of(FaultKind.POWER_LOSS_MINORITY), false);
    assertTrue(
        minority.cluster().log.stream()
            .filter(s -> s.startsWith("power-loss"))
            .allMatch(s -> s.matches("power-loss \\[\\d, \\d\\]( torn)?")),
        minority.cluster().log.toString());
  }

  @Test
  void aFailedFsyncIsHealedByAPowerCycleOfThatNode() {
    Run run = run(4, EnumSet.of(FaultKind.FSYNC_ERROR), false);
    List<String> log = run.cluster().log;
    int on = log.indexOf(log.stream().filter(s -> s.endsWith(" true")).findFirst().orElseThrow());
    String node = log.get(on).split(" ")[1];
    assertEquals(
        List.of(
            "fsync-errors " + node + " true",
            "power-loss [" + node + "]",
            "fsync-errors " + node + " false",
            "start " + node),
        log.subList(on, on + 4));
    assertTrue(run.cluster().healthy(), log.toString());
  }

  @Test
  void aNodeThatRefusesItsDamagedStoreGetsANewDiskAndRestarts() {
    FakeCluster cluster = new FakeCluster(3, false);
    cluster.refuseDamagedStores = true;
    Run run = run(6, EnumSet.of(FaultKind.BITFLIP), cluster);
    List<String> log = run.cluster().log;
    int damaged = log.indexOf(log.stream().filter(s -> s.startsWith("damage")).findFirst().get());
    String node = log.get(damaged).split(" ")[1];
    assertEquals(
        List.of("start " + node + " (exits: refuses its store)", "wipe " + node, "start " + node),
        log.subList(damaged + 1, damaged + 4));
    Op.Fault heal = (Op.Fault) run.faults().get(1).op();
    assertTrue(heal.detail().contains("refused its store"), heal.detail());
    assertTrue(run.cluster().healthy(), log.toString());
  }

  @Test
  void parsesGroupsAndNamesAndRejectsUnknownFaults() {
    assertEquals(
        EnumSet.of(
            FaultKind.KILL_NODE,
            FaultKind.KILL_LEADER,
            FaultKind.KILL_CONTROLLER,
            FaultKind.BRIDGE),
        FaultKind.parse("kill, bridge"));
    assertEquals(EnumSet.allOf(FaultKind.class), FaultKind.parse("all"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FaultKind.parse("kill,meteor"));
    assertTrue(e.getMessage().contains("faults") && e.getMessage().contains("meteor"));
    assertThrows(IllegalArgumentException.class, () -> FaultKind.parse(" , "));
  }
}
