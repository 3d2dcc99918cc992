package io.keel.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.net.Commands;
import io.keel.chaos.net.NetnsNetwork;
import io.keel.chaos.net.ResourceNames;
import io.keel.chaos.net.RunIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A harness JVM interrupted mid-run leaves nothing behind: SIGTERM runs the shutdown hook, and
 * after SIGKILL the next run's sweep removes the orphans.
 */
class InterruptedRunTest {
  private static final Duration READY = Duration.ofSeconds(60);

  private record Harness(Process process, String runId) {}

  private static Harness startHarness(Path dir) throws Exception {
    String runId = RunIds.random();
    String mode = NetnsNetwork.available(runId) ? "NETNS" : "PROXY";
    Path log = dir.resolve("harness.log");
    List<String> cmd =
        JavaCommand.of(
            HarnessMain.class.getName(), List.of(), List.of(runId, mode, dir.toString()));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + READY.toNanos();
    while (!Files.readString(log).contains("cluster ready")) {
      assertTrue(p.isAlive(), "harness died:\n" + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "harness not ready:\n" + Files.readString(log));
      Thread.sleep(50);
    }
    assertEquals(2, brokersOf(runId).size());
    return new Harness(p, runId);
  }

  private static List<ProcessHandle> brokersOf(String runId) {
    String marker = ResourceNames.PROCESS_MARKER + runId;
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(marker))
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  private static void assertNothingLeft(String runId) throws Exception {
    for (ProcessHandle broker : brokersOf(runId)) {
      broker.onExit().get(30, TimeUnit.SECONDS);
    }
    assertTrue(brokersOf(runId).isEmpty());
    Commands.Result namespaces = Commands.run(List.of("ip", "netns", "list"));
    assertFalse(namespaces.output().contains("keel-" + runId), namespaces.output());
    Commands.Result links = Commands.run(List.of("ip", "-o", "link"));
    assertFalse(links.output().contains("keel-" + runId), links.output());
  }

  @Test
  void sigtermRunsTheShutdownHook(@TempDir Path dir) throws Exception {
    Harness h = startHarness(dir);
    h.process().destroy();
    assertTrue(h.process().waitFor(60, TimeUnit.SECONDS));
    assertNothingLeft(h.runId());
  }

  @Test
  void afterSigkillTheNextSweepRemovesOrphans(@TempDir Path dir) throws Exception {
    Harness h = startHarness(dir);
    h.process().destroyForcibly();
    assertTrue(h.process().waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, brokersOf(h.runId()).size(), "brokers outlive a SIGKILLed harness");

    List<String> removed = Leftovers.inTempDir().sweep();

    assertTrue(removed.stream().anyMatch(r -> r.contains(h.runId())), removed.toString());
    assertNothingLeft(h.runId());
  }
}
