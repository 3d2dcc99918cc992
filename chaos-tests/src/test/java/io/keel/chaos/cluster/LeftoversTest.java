package io.keel.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.chaos.fs.LazyFs;
import io.keel.chaos.fs.LazyMount;
import io.keel.chaos.net.Commands;
import io.keel.chaos.net.NetnsNetwork;
import io.keel.chaos.net.ResourceNames;
import io.keel.chaos.net.RunIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {

  /** A process whose command line carries a run's marker, like a broker of that run. */
  private static Process markedProcess(String runId) throws Exception {
    String script = "sleep 600; : " + ResourceNames.PROCESS_MARKER + runId;
    return new ProcessBuilder("bash", "-c", script).start();
  }

  /** The pid of a process that has exited: an owner that is certainly dead. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void sweepRemovesResourcesOfDeadRunsAndSparesLiveOnes() throws Exception {
    // The shared registry: a private one would make every other live run look dead.
    Leftovers leftovers = Leftovers.inTempDir();
    Path registry = Path.of(System.getProperty("java.io.tmpdir"), "keel-chaos-runs");
    Files.createDirectories(registry);
    String dead = RunIds.random();
    String live = RunIds.random();
    Files.writeString(registry.resolve(dead), Long.toString(deadPid()));
    leftovers.register(live);
    boolean netns = NetnsNetwork.available(dead);
    if (netns) {
      Commands.check("ip", "netns", "add", ResourceNames.namespace(dead, 1));
      Commands.check("ip", "netns", "add", ResourceNames.namespace(live, 1));
    }
    Process deadBroker = markedProcess(dead);
    Process liveBroker = markedProcess(live);
    try {
      List<String> removed = leftovers.sweep();

      assertTrue(deadBroker.waitFor(10, TimeUnit.SECONDS), "leftover process still running");
      assertTrue(liveBroker.isAlive(), "a live run's process was killed");
      assertFalse(Files.exists(registry.resolve(dead)));
      assertTrue(removed.stream().anyMatch(r -> r.contains("run " + dead)), removed.toString());
      if (netns) {
        String namespaces = Commands.check("ip", "netns", "list");
        assertFalse(namespaces.contains(ResourceNames.namespace(dead, 1)), namespaces);
        assertTrue(namespaces.contains(ResourceNames.namespace(live, 1)), namespaces);
      }
    } finally {
      leftovers.unregister(live);
      liveBroker.destroyForcibly();
      deadBroker.destroyForcibly();
      if (netns) {
        Commands.run(List.of("ip", "netns", "del", ResourceNames.namespace(live, 1)));
      }
    }
  }

  @Test
  void sweepUnmountsLazyDisksOfDeadRuns(@TempDir Path dir) throws Exception {
    LazyFs.Support fuse = LazyFs.probe();
    assumeTrue(fuse.available(), () -> "FUSE unusable: " + fuse.problem());
    String dead = RunIds.random(); // never registered: its owner is gone
    try (LazyMount m =
        LazyMount.mount(
            fuse.binary(),
            dir.resolve("disk"),
            dir.resolve("data"),
            dir.resolve("ctl"),
            ResourceNames.PREFIX + dead + "-lazyfs-n1")) {
      List<String> removed = Leftovers.inTempDir().sweep();

      assertTrue(removed.contains("mount " + m.mountPoint()), removed.toString());
      assertFalse(Files.readString(Path.of("/proc/mounts")).contains(m.mountPoint().toString()));
    }
  }
}
