package io.keel.chaos.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.chaos.ChaosOptions;
import io.keel.chaos.ChaosResult;
import io.keel.chaos.ChaosRunner;
import io.keel.chaos.checker.AnomalyType;
import io.keel.chaos.fs.LazyFs;
import io.keel.chaos.history.History;
import io.keel.chaos.history.Op;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.nemesis.NemesisTiming;
import io.keel.chaos.report.RunReport;
import io.keel.chaos.workload.WorkloadKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real brokers on keel-lazyfs, every node's power cut at once several times: with fsync {@code
 * never} acknowledged writes are lost and the checker must say so; with fsync {@code always}
 * nothing acknowledged may be lost. Skipped where FUSE is unusable.
 */
@Timeout(300)
class PowerLossChaosTest {
  private static final long SEED = 20261201L;

  @BeforeEach
  void needsFuse() {
    LazyFs.Support fuse = LazyFs.probe();
    assumeTrue(fuse.available(), () -> "FUSE unusable: " + fuse.problem());
  }

  /**
   * A 3 s flusher, like the kernel's: the topic and most of the log reach the disk, the last
   * seconds of acknowledged writes do not. (Without any writeback the whole cluster state is lost,
   * the topic with it, and the loss shows as UNSEEN_WRITE instead.)
   */
  @Test
  void fsyncNeverIsCaughtLosingAcknowledgedWrites(@TempDir Path dir) {
    ChaosResult result = ChaosRunner.run(options("never", Duration.ofSeconds(3), dir));

    assertFalse(result.valid(), result.summary());
    assertTrue(result.check().count(AnomalyType.LOST_WRITE) > 0, result.summary());
    assertEquals(0, result.check().count(AnomalyType.PHANTOM_READ), result.summary());
  }

  @Test
  void fsyncAlwaysLosesNothingAcknowledged(@TempDir Path dir) {
    ChaosResult result = ChaosRunner.run(options("always", Duration.ZERO, dir));

    assertTrue(result.valid(), result.summary());
    History history = History.readJsonLines(result.runDirectory().resolve(RunReport.HISTORY));
    // Usually two or three fit in the run; on a loaded machine the restart of every node after
    // one cut can take most of it, and one cut of every node at once is already the case.
    assertTrue(powerLosses(history) >= 1, "no power loss:\n" + result.summary());
    assertTrue(result.check().opCounts().getOrDefault("send.ok", 0L) > 50, result.summary());
    assertEquals(1, result.check().opCounts().getOrDefault("final-read.ok", 0L), result.summary());
  }

  private static ChaosOptions options(String fsync, Duration writeback, Path dir) {
    return ChaosOptions.builder()
        .nodes(3)
        .duration(Duration.ofSeconds(Long.getLong("keel.chaos.powerLossSeconds", 45)))
        .faults(FaultKind.parse("power-loss-all"))
        .timing(
            new NemesisTiming(
                // Quiet starts once every node is ready again (the heal waits for it).
                Duration.ofSeconds(6), Duration.ofSeconds(9),
                Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .seed(Long.getLong("keel.chaos.seed", SEED))
        .workload(WorkloadKind.QUEUE)
        .idempotence(true)
        .fsync(fsync)
        .writeback(writeback)
        .outputDir(outputDir(dir))
        .build();
  }

  private static long powerLosses(History history) {
    return history.operations(Op.Fault.class).stream()
        .filter(o -> ((Op.Fault) o.op()).name().equals("power-loss-all"))
        .filter(o -> ((Op.Fault) o.op()).action() == Op.FaultAction.START)
        .count();
  }

  private static Path outputDir(Path temp) {
    String kept = System.getProperty("keel.chaos.output");
    return kept != null ? Path.of(kept) : temp;
  }
}
