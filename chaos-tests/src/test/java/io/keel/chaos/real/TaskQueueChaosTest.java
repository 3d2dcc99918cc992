package io.keel.chaos.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.ChaosOptions;
import io.keel.chaos.ChaosResult;
import io.keel.chaos.ChaosRunner;
import io.keel.chaos.checker.AnomalyType;
import io.keel.chaos.history.History;
import io.keel.chaos.history.Op;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.nemesis.NemesisTiming;
import io.keel.chaos.report.RunReport;
import io.keel.chaos.workload.TaskQueueWorkload;
import io.keel.chaos.workload.TaskSabotage;
import io.keel.chaos.workload.WorkloadKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task-queue workload (share groups) on 3 real brokers: under kill and pause faults it must be
 * valid, with tasks accepted, released, rejected, expired and dead-lettered along the way; with
 * workers that record ACCEPTs they never sent it must be invalid. Seed: -Dkeel.chaos.seed.
 */
class TaskQueueChaosTest {
  private static final long DEFAULT_SEED = 20261202L;
  // Faults every 3-5 s, held 4-6 s: several kills and pauses in 40 s.
  private static final NemesisTiming BRISK =
      new NemesisTiming(
          Duration.ofSeconds(3),
          Duration.ofSeconds(5),
          Duration.ofSeconds(4),
          Duration.ofSeconds(6));

  private static ChaosOptions.Builder options(Path dir, Duration duration, String faults) {
    return ChaosOptions.builder()
        .nodes(3)
        .duration(duration)
        .faults(FaultKind.parse(faults))
        .seed(Long.getLong("keel.chaos.seed", DEFAULT_SEED))
        .workload(WorkloadKind.TASK_QUEUE)
        .idempotence(true)
        .timing(BRISK)
        .outputDir(outputDir(dir));
  }

  /** -Dkeel.chaos.output keeps reports; else a temporary directory. */
  private static Path outputDir(Path temp) {
    String kept = System.getProperty("keel.chaos.output");
    return kept != null ? Path.of(kept) : temp;
  }

  @Test
  @Timeout(240)
  void killsAndPausesLoseNoTaskAndRedeliverNoAcceptedOne(@TempDir Path dir) {
    ChaosResult result =
        ChaosRunner.run(options(dir, Duration.ofSeconds(40), "kill-node,pause-node").build());

    assertTrue(result.valid(), result.summary());
    History history = History.readJsonLines(result.runDirectory().resolve(RunReport.HISTORY));
    Set<String> faults =
        history.operations(Op.Fault.class).stream()
            .map(o -> (Op.Fault) o.op())
            .filter(f -> f.action() == Op.FaultAction.START)
            .map(Op.Fault::name)
            .collect(Collectors.toSet());
    assertTrue(faults.containsAll(Set.of("kill-node", "pause-node")), faults.toString());
    var counts = result.check().opCounts();
    assertTrue(counts.getOrDefault("enqueue.ok", 0L) > 200, result.summary());
    assertTrue(counts.getOrDefault("worker-crash.ok", 0L) > 0, result.summary());
    assertTrue(
        history.operations(Op.DeadLetters.class).stream()
            .anyMatch(o -> o.isOk() && ((Op.DeadLetters) o.op()).complete()),
        "the drain did not finish\n" + result.summary());
    assertTrue(letters(history) > 0, "no dead letter was read\n" + result.summary());
  }

  /** Workers that record one ACCEPT in ten without sending it: those tasks come back. */
  @Test
  @Timeout(180)
  void acceptsNeverSentAreCaughtAsRedeliveries(@TempDir Path dir) {
    ChaosOptions opts = options(dir, Duration.ofSeconds(15), "pause-node").build();

    ChaosResult result =
        ChaosRunner.run(
            opts, new TaskQueueWorkload(false, TaskSabotage.UNSENT_ACCEPTS), System.out);

    assertFalse(result.valid(), result.summary());
    assertTrue(result.check().count(AnomalyType.REDELIVERED_AFTER_ACCEPT) > 0, result.summary());
    assertEquals(0, result.check().count(AnomalyType.TASK_LOST), result.summary());
  }

  private static long letters(History history) {
    return history.operations(Op.DeadLetters.class).stream()
        .filter(o -> o.isOk())
        .mapToLong(o -> ((Op.DeadLetters) o.op()).letters().size())
        .sum();
  }
}
