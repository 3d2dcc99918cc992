package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** Runs the {@code keel} commands, in this JVM, against a real three-node cluster. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAgainstClusterTest {
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CliRun keelWithInput(String stdin, String... args) {
    return CliRun.against(cluster.bootstrap(), stdin, args);
  }

  private static CliRun keelExactly(String stdin, String... withBootstrap) {
    return CliRun.exactly(stdin, withBootstrap);
  }

  private static CliRun keel(String... args) {
    return keelWithInput("", args);
  }

  private static void assertOk(CliRun run) {
    run.assertOk();
  }

  private static void assertFailsWithOneLine(int code, CliRun run, String... mentions) {
    run.assertFailsWithOneLine(code, mentions);
  }

  private static String lines(int count) {
    return IntStream.rangeClosed(1, count)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining("\n", "", "\n"));
  }

  @Test
  @Order(1)
  void topicCreateListDescribe() {
    assertOk(keel("topic", "create", "cli-orders", "-p", "3", "-r", "3"));
    CliRun list = keel("topic", "list", "-o", "json");
    assertOk(list);
    assertTrue(list.out().contains("\"cli-orders\""), list.out());
    CliRun describe = keel("topic", "describe", "cli-orders");
    assertOk(describe);
    long partitionRows =
        describe.out().lines().filter(l -> l.matches("^[0-2]\\s+(\\d+|none)\\s+\\[.*")).count();
    assertEquals(3, partitionRows, describe.out());
  }

  @Test
  @Order(2)
  void produceThenConsumeEveryLine() {
    String lines =
        IntStream.rangeClosed(1, 200)
            .mapToObj(i -> "k" + i + ":v" + i)
            .collect(Collectors.joining("\n", "", "\n"));
    CliRun produce = keelWithInput(lines, "produce", "cli-orders", "--key-separator", ":");
    assertOk(produce);
    assertTrue(produce.out().contains("Produced 200 records"), produce.out());

    CliRun consume =
        keel(
            "consume",
            "cli-orders",
            "--from-beginning",
            "--max-messages",
            "200",
            "--format",
            "%k=%v\\n");
    assertOk(consume);
    Set<String> expected =
        IntStream.rangeClosed(1, 200)
            .mapToObj(i -> "k" + i + "=v" + i)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, new TreeSet<>(consume.out().lines().toList()));
  }

  @Test
  @Order(3)
  void consumeExitsAfterTimeoutWithNothingNew() {
    CliRun consume = keel("consume", "cli-orders", "--timeout", "1s");
    assertOk(consume);
    assertEquals("", consume.out().strip());
  }

  @Test
  @Order(4)
  void groupConsumeDescribeResetDelete() {
    CliRun consume =
        keel(
            "consume",
            "cli-orders",
            "--group",
            "cli-group",
            "--from-beginning",
            "--max-messages",
            "200");
    assertOk(consume);
    assertEquals(200, consume.out().lines().count());

    CliRun list = keel("group", "list");
    assertOk(list);
    assertTrue(list.out().contains("cli-group"), list.out());

    CliRun describe = keel("group", "describe", "cli-group", "-o", "json");
    assertOk(describe);
    assertTrue(describe.out().contains("\"committedOffset\""), describe.out());

    CliRun reset =
        keel("group", "reset-offsets", "cli-group", "--topic", "cli-orders", "--to-earliest");
    assertOk(reset);
    List<String> rows = reset.out().lines().filter(l -> l.startsWith("cli-orders")).toList();
    assertEquals(3, rows.size(), reset.out());
    rows.forEach(r -> assertTrue(r.trim().endsWith(" 0"), r));

    assertOk(keel("group", "delete", "cli-group"));
    assertTrue(!keel("group", "list").out().contains("cli-group"));
  }

  @Test
  @Order(5)
  void clusterStatusIsHealthy() {
    CliRun status = keel("cluster", "status");
    assertOk(status);
    assertTrue(status.out().contains("HEALTHY"), status.out());
    assertEquals(
        3,
        status.out().lines().filter(l -> l.matches("^[1-3]\\s.*\\bup\\b.*")).count(),
        status.out());
  }

  @Test
  @Order(6)
  void benchReportsThroughputAndLatency() {
    CliRun bench =
        keel(
            "bench",
            "--topic",
            "cli-bench",
            "--partitions",
            "2",
            "--rate",
            "200",
            "--warmup",
            "0s",
            "--duration",
            "2s",
            "--drain");
    assertOk(bench);
    assertTrue(bench.out().contains("publish:"), bench.out());
    assertTrue(bench.out().contains("end-to-end latency ms"), bench.out());
    assertTrue(bench.out().contains("drain"), bench.out());
  }

  @Test
  @Order(6)
  @Timeout(90)
  void benchShareAcceptsEveryRecordSent() {
    // More workers than partitions, as in issue #18; warm-up 0 so every record sent is counted.
    CliRun bench =
        keel(
            "bench",
            "--share",
            "--workers",
            "4",
            "--topic",
            "cli-bench",
            "--partitions",
            "2",
            "--rate",
            "200",
            "--warmup",
            "0s",
            "--duration",
            "2s");
    assertOk(bench);
    assertTrue(bench.out().contains("produce->accept latency ms"), bench.out());
    Matcher share = Pattern.compile("\\((\\d+) of (\\d+) sent accepted\\)").matcher(bench.out());
    assertTrue(share.find(), bench.out());
    long accepted = Long.parseLong(share.group(1));
    assertTrue(accepted > 0, bench.out());
    assertEquals(Long.parseLong(share.group(2)), accepted, "every record sent accepted");
  }

  @Test
  @Order(7)
  void unknownTopicFailsWithOneClearLine() {
    CliRun describe = keel("topic", "describe", "no-such-topic");
    assertEquals(1, describe.exitCode());
    assertEquals(1, describe.err().lines().count(), describe.err());
    assertTrue(describe.err().startsWith("keel: "), describe.err());
    assertTrue(describe.err().contains("no-such-topic"), describe.err());
  }

  @Test
  @Order(8)
  void topicDelete() {
    assertOk(keel("topic", "delete", "cli-orders"));
    assertTrue(!keel("topic", "list").out().contains("cli-orders"));
  }

  @Test
  @Order(9)
  void everyCommandHasHelpWithExamples() {
    for (String[] command :
        List.of(
            new String[] {"topic", "create", "--help"},
            new String[] {"produce", "--help"},
            new String[] {"consume", "--help"},
            new String[] {"group", "reset-offsets", "--help"},
            new String[] {"cluster", "status", "--help"},
            new String[] {"bench", "--help"},
            new String[] {"dev", "--help"})) {
      CliRun help = keel(command);
      assertOk(help);
      assertTrue(help.out().contains("Examples:"), String.join(" ", command) + ": " + help.out());
    }
  }

  @Test
  @Order(10)
  @Timeout(60)
  void produceToAMissingTopicFailsFastWithTheHintToCreateIt() {
    // Before: each of the 100 lines waited max.block.ms (60 s) for metadata.
    CliRun produce = keelWithInput(lines(100), "produce", "cli-quick");
    assertFailsWithOneLine(
        1, produce, "topic 'cli-quick' does not exist", "keel topic create cli-quick");
    assertEquals(1, produce.err().lines().count(), produce.err());
    assertTrue(produce.out().contains("Produced 0 records"), produce.out());
  }

  @Test
  @Order(11)
  @Timeout(60)
  void produceWithCreateTopicCreatesItFirst() {
    CliRun produce = keelWithInput(lines(10), "produce", "cli-created", "--create-topic");
    assertOk(produce);
    assertTrue(produce.out().contains("Produced 10 records"), produce.out());
    assertOk(keel("topic", "describe", "cli-created"));
  }

  @Test
  @Order(12)
  @Timeout(120)
  void groupConsumeCommitsExactlyWhatItPrinted() {
    assertOk(keel("topic", "create", "cli-commit", "-p", "1", "-r", "3"));
    assertOk(keelWithInput(lines(1000), "produce", "cli-commit"));
    CliRun consume =
        keel(
            "consume",
            "cli-commit",
            "--group",
            "cli-exact",
            "--from-beginning",
            "--max-messages",
            "400");
    assertOk(consume);
    assertEquals(lines(400), consume.out());
    assertTrue(consume.err().contains("consumed 400 records"), consume.err());
    // Before: the poll position (500, a whole max.poll.records) was committed. The log end comes
    // from the partition's leader as the coordinator's metadata names it; until that metadata has
    // caught up with a new topic's leader it is unknown (-1), so ask until it is known.
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    CliRun describe = keel("group", "describe", "cli-exact");
    while (describe.out().contains("  -1  ") && System.nanoTime() < deadline) {
      describe = keel("group", "describe", "cli-exact");
    }
    assertOk(describe);
    assertTrue(
        describe.out().lines().anyMatch(l -> l.matches("^cli-commit\\s+0\\s+400\\s+1000\\s+600.*")),
        describe.out());
    CliRun next = keel("consume", "cli-commit", "--group", "cli-exact", "--max-messages", "600");
    assertOk(next);
    assertEquals(
        IntStream.rangeClosed(401, 1000).mapToObj(Integer::toString).toList(),
        next.out().lines().toList());
  }

  @Test
  @Order(13)
  @Timeout(60)
  void wrongArgumentsAreUsageErrors() {
    assertFailsWithOneLine(2, keel("consume", "cli-commit", "--offset", "3"), "--partition");
    assertFailsWithOneLine(2, keel("consume", "cli-commit", "--partition", "9"), "0..0");
    assertFailsWithOneLine(2, keelWithInput("x\n", "produce", "cli-commit", "--acks", "7"), "acks");
    assertFailsWithOneLine(2, keel("topic", "create"), "NAME");
    assertFailsWithOneLine(2, keel("group", "reset-offsets", "g"), "--topic");
  }

  @Test
  @Order(14)
  @Timeout(60)
  void unknownTopicsAndGroupsFailFastWithOneLine() {
    // Before: consuming a missing topic with --group or --partition waited forever.
    assertFailsWithOneLine(
        1,
        keel("consume", "cli-nope", "--group", "g"),
        "'cli-nope' does not exist",
        "topic create");
    assertFailsWithOneLine(
        1, keel("consume", "cli-nope", "--partition", "0"), "'cli-nope' does not exist");
    assertFailsWithOneLine(1, keel("consume", "cli-nope"), "'cli-nope' does not exist");
    assertFailsWithOneLine(1, keel("group", "describe", "cli-nope"), "'cli-nope' does not exist");
    assertFailsWithOneLine(1, keel("group", "delete", "cli-nope"), "'cli-nope' does not exist");
    assertFailsWithOneLine(1, keel("topic", "delete", "cli-nope"), "'cli-nope' does not exist");
  }

  @Test
  @Order(15)
  @Timeout(60)
  void aClusterThatIsDownIsNamedAtOnce() throws Exception {
    String dead = "127.0.0.1:" + freePort();
    // Before: every command retried for default.api.timeout.ms / max.block.ms (60 s).
    for (String[] command :
        List.of(
            new String[] {"topic", "list"},
            new String[] {"cluster", "status"},
            new String[] {"group", "list"},
            new String[] {"consume", "cli-commit"},
            new String[] {"produce", "cli-commit"})) {
      String[] args = Arrays.copyOf(command, command.length + 2);
      args[command.length] = "--bootstrap";
      args[command.length + 1] = dead;
      assertFailsWithOneLine(1, keelExactly("1\n", args), "no broker reachable", dead, "keel dev");
    }
  }

  @Test
  @Order(20)
  @Timeout(120)
  void aDeadNodeAmongLiveOnesIsSkippedAndShownByClusterStatus() {
    cluster.stopNode(3);
    String deadFirst = cluster.bootstrap().split(",")[2] + "," + cluster.bootstrap();
    assertOk(keelExactly("", "topic", "list", "--bootstrap", deadFirst));
    CliRun produce = keelExactly(lines(50), "produce", "cli-commit", "--bootstrap", deadFirst);
    assertOk(produce);
    assertTrue(produce.out().contains("Produced 50 records"), produce.out());
    CliRun consume =
        keelExactly(
            "",
            "consume",
            "cli-commit",
            "--group",
            "cli-exact",
            "--max-messages",
            "50",
            "--bootstrap",
            deadFirst);
    assertOk(consume);
    assertEquals(50, consume.out().lines().count());
    TestCluster.await(
        Duration.ofSeconds(60),
        () -> keel("cluster", "status").out().contains("node 3 is down; replica of"),
        () -> keel("cluster", "status").out());
    CliRun status = keel("cluster", "status");
    assertEquals(ClusterCommand.EXIT_UNHEALTHY, status.exitCode(), status.out());
    assertTrue(status.out().contains("cli-commit-0"), status.out());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
