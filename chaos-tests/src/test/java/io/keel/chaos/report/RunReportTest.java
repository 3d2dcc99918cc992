package io.keel.chaos.report;

import static io.keel.chaos.history.TestHistory.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keel.chaos.checker.CheckResult;
import io.keel.chaos.checker.Checker;
import io.keel.chaos.checker.CheckerConfig;
import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.HistoryJson;
import io.keel.chaos.history.Op.FaultAction;
import io.keel.chaos.history.TestHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

  @Test
  void writesEveryFileWithVerdictExamplesAndLinks(@TempDir Path dir) throws Exception {
    TestHistory h = new TestHistory();
    h.at(0).send(1, 0, 1, 0);
    h.at(500).fault("kill-node", FaultAction.START);
    h.at(1500).fault("kill-node", FaultAction.HEAL);
    h.at(1600).send(1, 0, 2, 1).send(1, 0, 3, 2);
    h.at(2000).finalRead(rec(0, 0, 1), rec(0, 2, 3));
    Checker checker = new Checker(CheckerConfig.idempotent());
    CheckResult result = checker.check(h.history(), ReplicaLogs.none());
    Path log = dir.resolve("cluster/n1/broker.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, "started\n");
    RunInfo info =
        new RunInfo(
            "abc123",
            42,
            "keel chaos --seed 42",
            3,
            "proxy",
            "queue",
            true,
            "2m",
            "kill-node",
            List.of("netem"),
            "2026-01-01T00:00:00Z",
            2.0,
            List.of("a note"));

    String summary =
        RunReport.write(
            dir.resolve("run"), info, h.history(), result, checker::counts, List.of(log));

    assertTrue(summary.startsWith("Keel chaos run abc123: INVALID (1 anomalies)"), summary);
    assertTrue(summary.contains("send 2 to p0 (acked offset 1)"), summary);
    assertTrue(summary.contains("skipped here: [netem]") && summary.contains("a note"), summary);
    Path run = dir.resolve("run");
    for (String f :
        List.of(RunReport.HISTORY, RunReport.SUMMARY, RunReport.THROUGHPUT, RunReport.LATENCY)) {
      assertTrue(Files.size(run.resolve(f)) > 0, f);
    }
    JsonNode json = HistoryJson.mapper().readTree(run.resolve(RunReport.RESULT).toFile());
    assertFalse(json.get("result").get("valid").asBoolean());
    assertEquals(42, json.get("run").get("seed").asLong());
    assertEquals(1, json.get("result").get("anomalies").get("LOST_WRITE").get("count").asInt());
    String index = Files.readString(run.resolve(RunReport.INDEX));
    assertTrue(index.contains("INVALID") && index.contains("../cluster/n1/broker.log"), index);
  }
}
