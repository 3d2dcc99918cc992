package io.keel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.ConsumerRecord;
import io.keel.client.Serdes;
import io.keel.client.share.DeliverAt;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.KeelShareConsumerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code keel share consume}, {@code keel share describe} and {@code keel produce --delay /
 * --deliver-at} against a real three-node cluster, over sockets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ShareCliClusterTest {
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        TestCluster.start(
            3,
            Map.of(
                "offsets.topic.partitions", "3",
                "group.session.timeout.ms", "3000",
                "group.heartbeat.interval.ms", "200",
                "share.delivery.count.limit", "3"));
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CliRun keel(String... args) {
    return keelWithInput("", args);
  }

  private static CliRun keelWithInput(String stdin, String... args) {
    return CliRun.against(cluster.bootstrap(), stdin, args);
  }

  private static String lines(int from, int to) {
    return IntStream.rangeClosed(from, to)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining("\n", "", "\n"));
  }

  @Test
  @Order(1)
  void shareConsumeAcceptsExactlyWhatItPrintedAndReleasesTheRest() {
    keel("topic", "create", "sq", "-p", "2", "-r", "3").assertOk();
    keelWithInput(lines(1, 20), "produce", "sq").assertOk();
    CliRun first = keel("share", "consume", "sq", "--group", "sq-workers", "--max-messages", "8");
    first.assertOk();
    assertEquals(8, first.out().lines().count(), first.out());
    assertTrue(
        first.err().contains("share group sq-workers: accept 8 records from sq"), first.err());
    // The first member took up to 8 per poll and released what it did not print: those come
    // back; the accepted ones never do.
    CliRun rest = keel("share", "consume", "sq", "--group", "sq-workers", "--max-messages", "12");
    rest.assertOk();
    Set<String> all = new TreeSet<>(first.out().lines().toList());
    all.addAll(rest.out().lines().toList());
    assertEquals(20, first.out().lines().count() + rest.out().lines().count());
    assertEquals(new TreeSet<>(lines(1, 20).lines().toList()), all);
    CliRun none = keel("share", "consume", "sq", "--group", "sq-workers", "--timeout", "1s");
    none.assertOk();
    assertEquals("", none.out());
  }

  @Test
  @Order(2)
  void shareDescribeShowsTheWindowAndLag() {
    // Every partition the group has a window on (the null-key lines went to one) is done.
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> {
          List<String> rows =
              keel("share", "describe", "sq-workers")
                  .out()
                  .lines()
                  .filter(l -> l.startsWith("sq "))
                  .toList();
          return !rows.isEmpty()
              && rows.stream()
                  .allMatch(l -> l.matches("^sq\\s+[01]\\s+(\\d+)\\s+\\d+\\s+\\d+\\s+0\\s+0\\s.*"));
        },
        () -> keel("share", "describe", "sq-workers").out());
    CliRun describe = keel("share", "describe", "sq-workers");
    describe.assertOk();
    assertTrue(describe.out().contains("SHARE GROUP sq-workers"), describe.out());
    assertTrue(describe.out().contains("OLDEST-UNACKED-MS"), describe.out());
    assertTrue(describe.out().lines().anyMatch(l -> l.matches("^sq\\.dlq\\s+-$")), describe.out());
    CliRun json = keel("share", "describe", "sq-workers", "-o", "json");
    json.assertOk();
    assertTrue(json.out().contains("\"deadLettered\" : 0"), json.out());
    assertTrue(json.out().contains("\"sq.dlq\" : null"), json.out());
  }

  @Test
  @Order(3)
  void releaseRedeliversAndRejectDeadLetters() {
    keel("topic", "create", "sr", "-p", "1", "-r", "3").assertOk();
    keelWithInput("poison\n", "produce", "sr").assertOk();
    String[] take = {"share", "consume", "sr", "--group", "sr-workers", "--max-messages", "1"};
    CliRun released = keel(concat(take, "--ack", "release", "--format", "%d %v\\n"));
    released.assertOk();
    assertEquals("1 poison\n", released.out());
    assertTrue(released.err().contains("release 1 records"), released.err());
    CliRun again = keel(concat(take, "--ack", "reject", "--format", "%d %o %v\\n"));
    again.assertOk();
    assertEquals("2 0 poison\n", again.out());
    TestCluster.await(
        Duration.ofSeconds(30),
        () ->
            keel("share", "describe", "sr-workers")
                .out()
                .lines()
                .anyMatch(l -> l.matches("^sr\\.dlq\\s+1$")),
        () -> keel("share", "describe", "sr-workers").out());
    CliRun describe = keel("share", "describe", "sr-workers", "-o", "json");
    assertTrue(describe.out().contains("\"deadLettered\" : 1"), describe.out());
    assertTrue(describe.out().contains("\"redeliveries\" : 1"), describe.out());
    CliRun dlq = keel("consume", "sr.dlq", "--from-beginning", "--max-messages", "1");
    dlq.assertOk();
    assertEquals("poison\n", dlq.out());
  }

  @Test
  @Order(4)
  void aDelayedRecordIsNotDeliveredBeforeItsTimeAndIsAfter() {
    keel("topic", "create", "sd", "-p", "1", "-r", "3").assertOk();
    try (KeelShareConsumer<String, String> member = member("sd-workers", "sd")) {
      Instant sent = Instant.now();
      CliRun produce = keelWithInput("later\n", "produce", "sd", "--delay", "3s");
      produce.assertOk();
      assertTrue(
          produce.out().contains("share groups get each 3s after it was read"), produce.out());
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      List<Instant> emptyPolls = new ArrayList<>();
      TestCluster.await(
          Duration.ofSeconds(30),
          () -> {
            member.poll(Duration.ofMillis(200)).forEach(got::add);
            if (got.isEmpty()) {
              emptyPolls.add(Instant.now());
            }
            return !got.isEmpty();
          },
          () -> "the delayed record never came");
      Instant received = Instant.now();
      Instant due = DeliverAt.of(got.get(0)).orElseThrow();
      assertEquals("later", got.get(0).value());
      assertFalse(due.isBefore(sent.plusSeconds(3)), "due " + due + ", sent " + sent);
      assertFalse(received.isBefore(due), "received " + received + " before " + due);
      // It was asked for, and not given, while it was not due.
      assertTrue(
          emptyPolls.stream().anyMatch(t -> t.isBefore(due.minusMillis(200))), "" + emptyPolls);
    }
  }

  @Test
  @Order(5)
  void deliverAtHoldsARecordUntilThatInstant() {
    keel("topic", "create", "sa", "-p", "1", "-r", "3").assertOk();
    Instant at = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    keelWithInput("report\n", "produce", "sa", "--deliver-at", at.toString()).assertOk();
    CliRun early = keel("share", "consume", "sa", "--group", "sa-workers", "--timeout", "500ms");
    early.assertOk();
    if (Instant.now().isBefore(at)) {
      assertEquals("", early.out(), "delivered before " + at);
    }
    CliRun onTime =
        keel(
            "share",
            "consume",
            "sa",
            "--group",
            "sa-workers",
            "--max-messages",
            "1",
            "--format",
            "%a %v\\n");
    onTime.assertOk();
    assertFalse(Instant.now().isBefore(at));
    assertEquals(at.toEpochMilli() + " report\n", onTime.out());
  }

  @Test
  @Order(6)
  void badArgumentsAreUsageErrorsNamingTheFlag() {
    keel("topic", "create", "sb", "-p", "1", "-r", "3").assertOk();
    keelWithInput("x\n", "produce", "sb", "--delay", "soon")
        .assertFailsWithOneLine(2, "--delay", "'soon' is not a duration");
    keelWithInput("x\n", "produce", "sb", "--delay", "PT-5S")
        .assertFailsWithOneLine(2, "--delay", "must be >= 0");
    keelWithInput("x\n", "produce", "sb", "--deliver-at", "tomorrow")
        .assertFailsWithOneLine(2, "--deliver-at", "'tomorrow' is not an ISO-8601 instant");
    keelWithInput("x\n", "produce", "sb", "--deliver-at", "1969-12-31T23:59:59Z")
        .assertFailsWithOneLine(2, "--deliver-at", "at or after 1970-01-01T00:00:00Z");
    keelWithInput("x\n", "produce", "sb", "--delay", "1s", "--deliver-at", "2030-01-01T00:00:00Z")
        .assertFailsWithOneLine(2, "mutually exclusive");
    keel("share", "consume", "sb").assertFailsWithOneLine(2, "--group");
    keel("share", "consume", "sb", "--group", "g", "--ack", "maybe")
        .assertFailsWithOneLine(2, "--ack", "accept, release, reject");
    keel("share", "consume", "sb", "--group", "g", "--max-messages", "0")
        .assertFailsWithOneLine(2, "--max-messages must be at least 1, was 0");
    keel("share", "consume", "sb-nope", "--group", "g")
        .assertFailsWithOneLine(1, "'sb-nope' does not exist", "keel topic create sb-nope");
    keel("share", "describe", "sb-nobody")
        .assertFailsWithOneLine(1, "share group 'sb-nobody' does not exist");
  }

  @Test
  @Order(7)
  void shareCommandsHaveHelpWithExamples() {
    for (String sub : List.of("consume", "describe")) {
      CliRun help = keel("share", sub, "--help");
      help.assertOk();
      assertTrue(help.out().contains("Examples:"), help.out());
    }
    CliRun produce = keel("produce", "--help");
    assertTrue(produce.out().contains("--deliver-at") && produce.out().contains("--delay"));
  }

  private static KeelShareConsumer<String, String> member(String group, String topic) {
    KeelShareConsumer<String, String> c =
        new KeelShareConsumer<>(
            KeelShareConsumerConfig.of(
                Map.of(
                    "bootstrap.servers",
                    cluster.bootstrap(),
                    "group.id",
                    group,
                    "fetch.max.wait.ms",
                    "200",
                    "request.timeout.ms",
                    "15000")),
            Serdes.stringDeserializer(),
            Serdes.stringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  private static String[] concat(String[] head, String... tail) {
    String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }
}
