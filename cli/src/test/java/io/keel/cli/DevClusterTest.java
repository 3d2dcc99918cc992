package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel dev} with real broker processes: kill -9 one node, the others keep serving, the
 * supervisor says which node died and how, and {@code keel dev node start} brings it back.
 */
class DevClusterTest {
  private static final int NODES = 3;

  @TempDir Path dataDir;

  private record Run(int exitCode, String out, String err) {}

  /** Runs one command in this JVM, capturing what it prints. */
  private static Run keel(String stdin, String... args) {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      var cli = KeelMain.commandLine();
      cli.setErr(new PrintWriter(err));
      int code = cli.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
    }
  }

  private static void assertOk(Run run) {
    assertEquals(0, run.exitCode(), () -> "out: " + run.out() + "\nerr: " + run.err());
  }

  @Test
  @Timeout(300)
  void killedNodeLeavesTheOthersServingAndRestartsOnItsData() throws Exception {
    int base = freePortRange(2 * NODES);
    LocalCluster.Layout layout = LocalCluster.Layout.loopback(NODES, dataDir, base, base + NODES);
    String bootstrap = layout.bootstrap();
    ByteArrayOutputStream supervisorLog = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(supervisorLog, true, StandardCharsets.UTF_8);
    try (LocalCluster cluster = new LocalCluster(layout, dataDir, "always", log)) {
      cluster.start();
      cluster.awaitReady(Duration.ofSeconds(120));
      Thread supervisor = Thread.ofPlatform().daemon(true).start(supervise(cluster));
      assertOk(keel("", "topic", "create", "dev-t", "-p", "3", "-r", "3", "-b", bootstrap));

      assertOk(keel("", "dev", "node", "stop", "2", "--kill", "--data-dir", dataDir.toString()));
      TestCluster.await(
          Duration.ofSeconds(30),
          () -> supervisorLog.toString(StandardCharsets.UTF_8).contains("node 2 exited"),
          () -> supervisorLog.toString(StandardCharsets.UTF_8));
      String said = supervisorLog.toString(StandardCharsets.UTF_8);
      assertTrue(said.contains("node 2 exited (killed by SIGKILL (exit code 137))"), said);
      assertTrue(said.contains("keel dev node start 2"), said);

      Run produce = keel(lines(100), "produce", "dev-t", "-b", bootstrap);
      assertOk(produce);
      assertTrue(produce.out().contains("Produced 100 records"), produce.out());
      Run consume =
          keel(
              "", "consume", "dev-t", "--from-beginning", "--max-messages", "100", "-b", bootstrap);
      assertOk(consume);
      assertEquals(100, consume.out().lines().count(), consume.err());

      Run start = keel("", "dev", "node", "start", "2", "--data-dir", dataDir.toString());
      assertOk(start);
      assertTrue(start.out().contains("node 2 ready"), start.out());
      TestCluster.await(
          Duration.ofSeconds(90),
          () -> keel("", "cluster", "status", "-b", bootstrap).exitCode() == 0,
          () -> keel("", "cluster", "status", "-b", bootstrap).out());
      Run again = keel(lines(10), "produce", "dev-t", "-b", bootstrap);
      assertOk(again);
      cluster.close();
      supervisor.join(Duration.ofSeconds(10));
    }
  }

  private Runnable supervise(LocalCluster cluster) {
    return () -> {
      try {
        cluster.supervise();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static String lines(int count) {
    return IntStream.rangeClosed(1, count)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /** The first of {@code count} consecutive ports that are free now. */
  private static int freePortRange(int count) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first;
      try (ServerSocket probe = new ServerSocket(0)) {
        first = probe.getLocalPort();
      }
      if (first + count > 65_535) {
        continue;
      }
      if (IntStream.range(first, first + count).allMatch(DevClusterTest::isFree)) {
        return first;
      }
    }
    throw new IOException("no " + count + " consecutive free ports");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
