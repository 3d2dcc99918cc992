package io.keel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.checker.AnomalyType;
import io.keel.chaos.cluster.FakeBroker;
import io.keel.chaos.cluster.NetworkMode;
import io.keel.chaos.history.History;
import io.keel.chaos.history.Op;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.nemesis.NemesisTiming;
import io.keel.chaos.net.ResourceNames;
import io.keel.chaos.report.RunReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole run against real (fake-broker) processes and real faults, for a few seconds. */
class ChaosRunnerTest {

  private static ChaosOptions options(Path dir, long seed) {
    return ChaosOptions.builder()
        .nodes(3)
        .duration(Duration.ofSeconds(3))
        .faults(FaultKind.parse("kill,pause,partition,netem"))
        .seed(seed)
        .outputDir(dir)
        .networkMode(NetworkMode.PROXY)
        .timing(
            new NemesisTiming(
                Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofMillis(200), Duration.ofMillis(500)))
        .progressInterval(Duration.ofSeconds(1))
        .brokerMainClass(FakeBroker.class.getName())
        .build();
  }

  @Test
  void cleanRunIsValidAndWritesTheWholeReport(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ChaosOptions options = options(dir, 1234);

    ChaosResult result =
        ChaosRunner.run(options, new SyntheticQueueWorkload(false), new PrintStream(buf, true));

    String output = buf.toString(StandardCharsets.UTF_8);
    List<String> lines = output.lines().toList();
    String runId = lines.get(0).split(" ")[3];
    assertEquals("Keel chaos run " + runId + " seed 1234", lines.get(0));
    assertEquals("Replay: " + options.replayCommand(), lines.get(1));
    String marker = ResourceNames.PROCESS_MARKER + runId;
    assertTrue(
        ProcessHandle.allProcesses()
            .noneMatch(p -> p.isAlive() && p.info().commandLine().orElse("").contains(marker)),
        "a broker outlived the run");
    assertTrue(result.valid(), result.summary());
    assertTrue(output.contains("ok/s"), "no progress line:\n" + output);
    for (String f :
        List.of(
            RunReport.HISTORY,
            RunReport.RESULT,
            RunReport.SUMMARY,
            RunReport.THROUGHPUT,
            RunReport.LATENCY,
            RunReport.INDEX)) {
      assertTrue(Files.size(result.runDirectory().resolve(f)) > 0, f);
    }
    History history = History.readJsonLines(result.runDirectory().resolve(RunReport.HISTORY));
    long faultStarts =
        history.operations(Op.Fault.class).stream()
            .filter(o -> ((Op.Fault) o.op()).action() == Op.FaultAction.START)
            .count();
    assertTrue(faultStarts > 0, "no fault was injected");
    assertTrue(result.check().opCounts().get("send.ok") > 100);
    assertTrue(Files.readString(result.runDirectory().resolve(RunReport.INDEX)).contains("VALID"));
  }

  @Test
  void lostAcknowledgedWriteMakesTheRunInvalid(@TempDir Path dir) {
    ChaosResult result =
        ChaosRunner.run(
            options(dir, 99),
            new SyntheticQueueWorkload(true),
            new PrintStream(new ByteArrayOutputStream()));

    assertFalse(result.valid());
    assertEquals(1, result.check().count(AnomalyType.LOST_WRITE));
    assertTrue(result.summary().contains("INVALID"), result.summary());
  }

  @Test
  void optionsRejectBadValuesNamingTheField() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ChaosOptions.builder().nodes(0).build());
    assertTrue(e.getMessage().startsWith("nodes"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ChaosOptions.builder().duration(Duration.ofDays(2)).build());
    assertTrue(e.getMessage().startsWith("duration"), e.getMessage());
  }

  @Test
  void replayCommandRoundTripsThroughDurationsAndFaultParsing() {
    ChaosOptions o =
        ChaosOptions.builder()
            .seed(5)
            .duration(Duration.ofMinutes(10))
            .faults(FaultKind.parse("kill,bridge"))
            .build();
    String cmd = o.replayCommand();
    assertTrue(
        cmd.contains(
            "--duration 10m --faults kill-node,kill-leader,kill-controller,bridge --seed 5"),
        cmd);
    assertEquals(Duration.ofMinutes(10), Durations.parse("duration", "10m"));
    assertEquals(
        Duration.ofMillis(1500),
        Durations.parse("duration", Durations.format(Duration.ofMillis(1500))));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("duration", "ten"));
  }
}
