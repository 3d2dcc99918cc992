package io.keel.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.chaos.net.Commands;
import io.keel.chaos.net.NetnsNetwork;
import io.keel.chaos.net.RunIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real processes (a fake broker main class) under both network modes. */
class ClusterHarnessTest {
  private static final Duration READY = Duration.ofSeconds(30);

  private static ClusterSpec spec(Path dir, NetworkMode mode) {
    return new ClusterSpec(
        3,
        dir,
        mode,
        FakeBroker.class.getName(),
        List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"),
        "always",
        Duration.ofMillis(50),
        READY,
        false,
        Duration.ZERO);
  }

  @ParameterizedTest
  @EnumSource(
      value = NetworkMode.class,
      names = {"PROXY", "NETNS"})
  void startsKillsRestartsPausesAndCleansUp(NetworkMode mode, @TempDir Path dir) throws Exception {
    String runId = RunIds.random();
    assumeTrue(mode != NetworkMode.NETNS || NetnsNetwork.available(runId), "needs netns");
    List<ProcessHandle> started = new ArrayList<>();
    try (ClusterHarness cluster = ClusterHarness.start(runId, spec(dir, mode))) {
      for (int id : cluster.nodeIds()) {
        started.add(ProcessHandle.of(pidOf(cluster, id)).orElseThrow());
      }
      String config = Files.readString(dir.resolve("n1/broker.properties"));
      assertTrue(config.contains("node.id=1"), config);
      assertTrue(config.contains("controller.quorum.voters=1@"), config);

      cluster.kill(2);
      assertFalse(cluster.isRunning(2));
      assertFalse(cluster.isReady(2));
      cluster.start(2);
      cluster.awaitReady(2, READY);
      assertEquals(2, Files.readAllLines(dir.resolve("n2/data/starts")).size());

      cluster.pause(3);
      assertTrue(cluster.isPaused(3));
      assertFalse(cluster.isReady(3));
      cluster.resume(3);
      cluster.awaitReady(3, READY);
      started.add(ProcessHandle.of(pidOf(cluster, 2)).orElseThrow());
    }
    for (ProcessHandle p : started) {
      assertFalse(p.isAlive(), "process " + p.pid() + " survived close");
    }
    if (mode == NetworkMode.NETNS) {
      assertFalse(Commands.check("ip", "netns", "list").contains(runId));
      assertFalse(Commands.check("ip", "-o", "link").contains(runId));
    }
  }

  private static long pidOf(ClusterHarness cluster, int node) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("-Dkeel.chaos.node=" + node))
        .filter(p -> p.info().commandLine().orElse("").contains(cluster.runId()))
        .findFirst()
        .orElseThrow()
        .pid();
  }
}
