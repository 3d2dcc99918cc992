package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C in the middle of {@code keel produce} and {@code keel consume}: the CLI runs as its own
 * process against a real cluster, gets SIGINT, and must print its partial summary, commit what it
 * printed and exit 130, without a stack trace.
 */
class CliSignalsTest {
  private static TestCluster cluster;
  private static KeelConsumer<byte[], byte[]> offsets;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(Duration.ofSeconds(60));
    cluster.createTopic("sig", 1, 3);
    offsets =
        new KeelConsumer<>(
            KeelConsumerConfig.builder().bootstrap(cluster.bootstrap()).build(),
            Serdes.bytesDeserializer(),
            Serdes.bytesDeserializer());
    offsets.assign(List.of(new TopicPartition("sig", 0)));
  }

  @AfterAll
  static void stopCluster() {
    if (offsets != null) {
      offsets.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The CLI as a child process; stdout and stderr go to files so nothing blocks on a pipe. */
  private Process keel(String... args) throws IOException {
    List<String> command =
        Distribution.javaCommand(
            "io.keel.cli.KeelMain",
            IntStream.range(0, args.length + 2)
                .mapToObj(
                    i ->
                        i < args.length
                            ? args[i]
                            : i == args.length ? "--bootstrap" : cluster.bootstrap())
                .toArray(String[]::new));
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out").toFile())
        .redirectError(dir.resolve("err").toFile())
        .start();
  }

  private String out() throws IOException {
    return Files.readString(dir.resolve("out"));
  }

  private String err() throws IOException {
    return Files.readString(dir.resolve("err"));
  }

  /**
   * SIGINT, as Ctrl-C sends it. A JVM started with SIGINT ignored (a background job of a shell
   * without job control) never sees it, so there the test sends SIGTERM, which takes the same path
   * and exits 143.
   */
  private static int interrupt(Process process) throws Exception {
    boolean intIgnored =
        Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("SigIgn:"))
            .map(l -> Long.parseLong(l.substring(7).trim(), 16))
            .anyMatch(mask -> (mask & (1L << 1)) != 0);
    String signal = intIgnored ? "-TERM" : "-INT";
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
    assertEquals(0, kill.waitFor());
    return intIgnored ? 143 : StopSignal.EXIT_INTERRUPTED;
  }

  /** The end offset of sig-0, from a consumer's position after seekToEnd. */
  private static long endOffset() {
    TopicPartition p0 = new TopicPartition("sig", 0);
    offsets.seekToEnd(List.of(p0));
    return offsets.position(p0, Duration.ofSeconds(30));
  }

  @Test
  @Timeout(120)
  void ctrlCInTheMiddleOfProducePrintsWhatWasAcknowledged() throws Exception {
    long before = endOffset();
    Process produce = keel("produce", "sig");
    OutputStream stdin = produce.getOutputStream();
    String lines =
        IntStream.rangeClosed(1, 50).mapToObj(i -> "p" + i).collect(Collectors.joining("\n"));
    stdin.write((lines + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush(); // and keep stdin open, as a terminal would
    TestCluster.await(
        Duration.ofSeconds(60), () -> endOffset() - before >= 50, () -> "end " + endOffset());
    int expectedExit = interrupt(produce);
    assertTrue(produce.waitFor(30, TimeUnit.SECONDS), "produce exits after the signal");
    String context = "out: " + out() + "\nerr: " + err();
    assertEquals(expectedExit, produce.exitValue(), context);
    assertTrue(out().contains("Produced 50 records"), context);
    assertFalse(err().contains("\tat "), context);
    stdin.close();
  }

  @Test
  @Timeout(120)
  void ctrlCInTheMiddleOfConsumeCommitsWhatItPrinted() throws Exception {
    Process produce = keel("produce", "sig");
    String lines =
        IntStream.rangeClosed(1, 30).mapToObj(i -> "c" + i).collect(Collectors.joining("\n"));
    produce.getOutputStream().write((lines + "\n").getBytes(StandardCharsets.UTF_8));
    produce.getOutputStream().close();
    assertEquals(0, produce.waitFor(60, TimeUnit.SECONDS) ? produce.exitValue() : -1, err());

    Process consume = keel("consume", "sig", "--group", "sig-group", "--from-beginning");
    TestCluster.await(
        Duration.ofSeconds(60),
        () -> {
          try {
            return out().lines().count() >= endOffset();
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        },
        () -> "printed so far: " + dir.resolve("out"));
    long printed = out().lines().count();
    int expectedExit = interrupt(consume);
    assertTrue(consume.waitFor(30, TimeUnit.SECONDS), "consume exits after the signal");
    String context = "out: " + out() + "\nerr: " + err();
    assertEquals(expectedExit, consume.exitValue(), context);
    assertTrue(err().contains("consumed " + printed + " records"), context);
    assertTrue(err().contains("group sig-group committed 1 partitions"), context);
    assertFalse(err().contains("\tat "), context);
    try (KeelAdmin admin =
        new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      long committed =
          admin.describeGroup("sig-group").join().offsets().stream()
              .mapToLong(o -> o.committedOffset())
              .sum();
      assertEquals(printed, committed, context);
    }
  }
}
