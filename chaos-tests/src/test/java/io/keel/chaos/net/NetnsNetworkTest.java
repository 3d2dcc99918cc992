package io.keel.chaos.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.chaos.cluster.JavaCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs root and a kernel that allows network namespaces; skipped otherwise. */
class NetnsNetworkTest {
  private static final int PORT = 7777;
  private final String runId = RunIds.random();
  private NetnsNetwork net;
  private Process server;

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    assumeTrue(NetnsNetwork.available(runId), "needs root and ip netns");
    net = NetnsNetwork.create(runId, 3);
    List<String> cmd =
        JavaCommand.of(
            EchoServer.class.getName(), List.of(), List.of(net.ip(2), String.valueOf(PORT)));
    Path out = dir.resolve("echo.log");
    server =
        new ProcessBuilder(net.wrap(2, cmd))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    Deadline.await(Duration.ofSeconds(20), () -> Files.readString(out).contains("listening"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.destroyForcibly().waitFor();
    }
    if (net != null) {
      net.close();
      String namespaces = Commands.check("ip", "netns", "list");
      assertFalse(namespaces.contains("keel-" + runId), namespaces);
      assertFalse(Commands.check("ip", "-o", "link").contains("keel-" + runId));
    }
  }

  /** Whether node {@code from} connects to the echo server on node 2 within the seconds. */
  private boolean connects(int from, int seconds) {
    String target = "/dev/tcp/" + net.ip(2) + "/" + PORT;
    List<String> cmd = List.of("timeout", "" + seconds, "bash", "-c", "echo > " + target);
    return Commands.run(net.wrap(from, cmd)).ok();
  }

  /** Generous, for a loaded machine. */
  private boolean canConnect(int from) {
    return connects(from, 15);
  }

  /** A blackholed SYN never gets an answer, so a short wait suffices. */
  private boolean blocked(int from) {
    return !connects(from, 1);
  }

  @Test
  void nodesAndHarnessConnectUntilPartitionedThenAgainAfterHeal() throws IOException {
    assertTrue(canConnect(1));
    assertTrue(canConnect(3));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(net.ip(2), PORT), 15_000);
    }

    net.partition(Set.of(new Link(1, 2)));
    assertTrue(blocked(1));
    assertTrue(canConnect(3));

    net.heal();
    assertTrue(canConnect(1));
  }

  @Test
  void oneWayPartitionBlocksRepliesToo() {
    net.partition(Set.of(new Link(2, 1)));
    // The SYN gets through but the SYN-ACK does not: TCP cannot connect either way.
    assertTrue(blocked(1));
    assertTrue(canConnect(3));
  }
}
