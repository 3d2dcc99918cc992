package io.keel.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keel.broker.http.HttpTestClient.Reply;
import io.keel.broker.testing.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The share-group (task queue) endpoints against a real three-node cluster: every request through
 * Netty over loopback, answered by whichever node it reaches (the coordinator is found and called
 * over gRPC). Locks are short (5 s) so expiry is observable; waits are bounded conditions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareHttpClusterTest {
  private static final long LOCK_MS = 5_000;
  private static TestCluster cluster;
  private static ClusterHttp api;
  private static HttpTestClient http;

  @BeforeAll
  static void startCluster() {
    cluster =
        TestCluster.start(
            3,
            Map.of(
                "share.record.lock.duration.ms", Long.toString(LOCK_MS),
                "group.heartbeat.interval.ms", "200",
                "group.session.timeout.ms", "10000"));
    cluster.awaitReady(Duration.ofSeconds(30));
    api = new ClusterHttp(cluster);
    http = api.client();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static int port(int node) {
    return api.port(node);
  }

  private static void createTopic(String name, int partitions) {
    api.createTopic(name, partitions);
  }

  private static Reply retrying(Supplier<Reply> call) {
    return api.retrying(call);
  }

  private static void produce(String topic, String records) {
    api.produceResending(1, topic, records);
  }

  private static Reply poll(int node, String group, String body) {
    return retrying(() -> http.post(port(node), "/v1/share-groups/" + group + "/poll", body));
  }

  private static String pollBody(String topic, String member, int waitMs) {
    return "{\"topics\":[\""
        + topic
        + "\"],"
        + (member == null ? "" : "\"member_id\":\"" + member + "\",")
        + "\"format\":\"json\",\"max_wait_ms\":"
        + waitMs
        + "}";
  }

  /** Polls as {@code member} until {@code n} records came; returns them. */
  private static List<JsonNode> take(int node, String group, String topic, String member, int n) {
    List<JsonNode> got = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          Reply r = poll(node, group, pollBody(topic, member, 500));
          assertEquals(200, r.status(), r.body().toString());
          assertEquals(member, r.body().get("member_id").asText());
          r.body().get("records").forEach(got::add);
          return got.size() >= n;
        },
        () -> member + " got " + got);
    assertEquals(n, got.size(), "no more than asked for: " + got);
    return got;
  }

  /** A new member (the coordinator picks its id); max_records 0 acquires nothing. */
  private static String join(String group, String topic) {
    Reply r = poll(2, group, "{\"topics\":[\"" + topic + "\"],\"max_records\":0}");
    assertEquals(200, r.status(), r.body().toString());
    assertTrue(r.body().get("joined").asBoolean(), r.body().toString());
    assertEquals(LOCK_MS, r.body().get("lock_duration_ms").asLong());
    return r.body().get("member_id").asText();
  }

  private static String ack(JsonNode record, String type) {
    return "{\"topic\":\""
        + record.get("topic").asText()
        + "\",\"partition\":"
        + record.get("partition").asInt()
        + ",\"offset\":"
        + record.get("offset").asLong()
        + ",\"type\":\""
        + type
        + "\"}";
  }

  private static Reply acks(int node, String group, String member, String... acks) {
    return retrying(
        () ->
            http.post(
                port(node),
                "/v1/share-groups/" + group + "/acks",
                "{\"member_id\":\"" + member + "\",\"acks\":[" + String.join(",", acks) + "]}"));
  }

  private static Reply leave(String memberPath) {
    return retrying(() -> http.send(port(3), "DELETE", memberPath, null));
  }

  private static JsonNode describe(String group) {
    Reply r = retrying(() -> http.get(port(3), "/v1/share-groups/" + group));
    assertEquals(200, r.status(), r.body().toString());
    return r.body();
  }

  private static long sum(JsonNode description, String field) {
    long n = 0;
    for (JsonNode p : description.get("partitions")) {
      n += p.get(field).asLong();
    }
    return n;
  }

  @Test
  void pollAcceptAndDescribeFromAnyNode() {
    createTopic("sq-jobs", 2);
    produce(
        "sq-jobs",
        "[{\"key\":\"a\",\"value\":{\"n\":1},\"headers\":{\"h\":\"v\"}},"
            + "{\"key\":\"b\",\"value\":{\"n\":2}},{\"key\":\"c\",\"value\":{\"n\":3}}]");
    String member = join("sq-g1", "sq-jobs");
    List<JsonNode> got = take(1, "sq-g1", "sq-jobs", member, 3);
    TreeSet<Integer> values = new TreeSet<>();
    for (JsonNode r : got) {
      assertEquals(1, r.get("delivery_count").asInt(), r.toString());
      assertTrue(r.get("lock_deadline_ms").asLong() > 0, r.toString());
      values.add(r.get("value").get("n").asInt());
      if (r.get("value").get("n").asInt() == 1) {
        assertEquals("v", r.get("headers").get("h").asText());
        assertEquals("a", r.get("key").asText());
      }
    }
    assertEquals(new TreeSet<>(List.of(1, 2, 3)), values);
    JsonNode held = describe("sq-g1");
    assertEquals(3, held.get("members").get(0).get("acquired").asInt(), held.toString());
    assertEquals(".dlq", held.get("dead_letter_topic_suffix").asText());
    Reply accepted =
        acks(3, "sq-g1", member, got.stream().map(r -> ack(r, "accept")).toArray(String[]::new));
    assertEquals(200, accepted.status(), accepted.body().toString());
    assertEquals(3, accepted.body().get("results").size());
    accepted
        .body()
        .get("results")
        .forEach(r -> assertFalse(r.has("error"), accepted.body().toString()));
    JsonNode done = describe("sq-g1");
    assertEquals(0, sum(done, "acquired"), done.toString());
    assertEquals(0, sum(done, "lag"), "every record done: " + done);
    Reply empty = poll(1, "sq-g1", pollBody("sq-jobs", member, 300));
    assertEquals(0, empty.body().get("records").size(), "accepted records never come back");
  }

  @Test
  void releaseRedeliversWithAHigherDeliveryCountAndRenewMovesTheLock() {
    createTopic("sq-retry", 1);
    produce("sq-retry", "[{\"value\":\"flaky\"}]");
    String a = join("sq-g2", "sq-retry");
    JsonNode first = take(1, "sq-g2", "sq-retry", a, 1).get(0);
    Reply renewed = acks(2, "sq-g2", a, ack(first, "renew"));
    assertEquals(200, renewed.status(), renewed.body().toString());
    long newDeadline = renewed.body().get("results").get(0).get("lock_deadline_ms").asLong();
    assertTrue(newDeadline >= first.get("lock_deadline_ms").asLong(), renewed.body().toString());
    Reply released = acks(1, "sq-g2", a, ack(first, "release"));
    assertEquals(200, released.status(), released.body().toString());
    String b = join("sq-g2", "sq-retry");
    JsonNode again = take(3, "sq-g2", "sq-retry", b, 1).get(0);
    assertEquals(first.get("offset").asLong(), again.get("offset").asLong());
    assertEquals(2, again.get("delivery_count").asInt(), again.toString());
    JsonNode counters = describe("sq-g2");
    assertEquals(0, sum(counters, "lock_expiries"), "redelivered on release: " + counters);
    assertEquals(1, sum(counters, "redeliveries"), counters.toString());
    assertEquals(200, acks(1, "sq-g2", b, ack(again, "accept")).status());
  }

  @Test
  void anExpiredLockRedeliversAndTheOldHolderCannotAcknowledge() {
    createTopic("sq-expire", 1);
    produce("sq-expire", "[{\"value\":\"slow\"}]");
    String a = join("sq-g3", "sq-expire");
    JsonNode first = take(1, "sq-g3", "sq-expire", a, 1).get(0);
    String b = join("sq-g3", "sq-expire");
    JsonNode again = take(2, "sq-g3", "sq-expire", b, 1).get(0);
    assertTrue(
        System.currentTimeMillis() >= first.get("lock_deadline_ms").asLong(),
        "not redelivered before the lock expired");
    assertEquals(2, again.get("delivery_count").asInt());
    Reply late = acks(1, "sq-g3", a, ack(first, "accept"));
    assertEquals(409, late.status(), late.body().toString());
    assertEquals("SHARE_NOT_HELD", late.body().get("error").get("code").asText());
    assertEquals(200, acks(1, "sq-g3", b, ack(again, "accept")).status(), "b holds it");
  }

  @Test
  void badAcknowledgementsAreTypedErrorsAndChangeNothing() {
    createTopic("sq-bad", 1);
    produce("sq-bad", "[{\"value\":\"one\"}]");
    String a = join("sq-g4", "sq-bad");
    JsonNode rec = take(1, "sq-g4", "sq-bad", a, 1).get(0);
    String b = join("sq-g4", "sq-bad");
    String path = "/v1/share-groups/sq-g4/acks";
    expect(acks(1, "sq-g4", a, ack(rec, "done")), 400, "INVALID_REQUEST", "acks[0].type");
    expect(
        http.post(port(1), path, "{\"member_id\":\"" + a + "\",\"acks\":[]}"),
        400,
        "INVALID_REQUEST",
        "acks");
    expect(
        http.post(
            port(1),
            path,
            "{\"member_id\":\"" + a + "\",\"acks\":[{\"topic\":\"sq-bad\",\"type\":\"accept\"}]}"),
        400,
        "INVALID_REQUEST",
        "acks[0].partition");
    expect(
        http.post(port(1), path, "{\"member_id\":\"a/b\",\"acks\":[" + ack(rec, "accept") + "]}"),
        400,
        "INVALID_REQUEST",
        "member_id");
    expect(acks(2, "sq-g4", "nobody", ack(rec, "accept")), 404, "SHARE_UNKNOWN_MEMBER", "");
    Reply notHeld = acks(3, "sq-g4", b, ack(rec, "accept"));
    expect(notHeld, 409, "SHARE_NOT_HELD", "acks[0]");
    assertEquals(
        "SHARE_NOT_HELD",
        notHeld.body().get("results").get(0).get("error").get("code").asText(),
        notHeld.body().toString());
    JsonNode stillHeld = describe("sq-g4");
    assertEquals(1, sum(stillHeld, "acquired"), "still a's: " + stillHeld);
    assertEquals(1, sum(stillHeld, "max_delivery_count"), stillHeld.toString());
    String unknownOffset =
        "{\"topic\":\"sq-bad\",\"partition\":0,\"offset\":999,\"type\":\"accept\"}";
    Reply mixed = acks(1, "sq-g4", a, ack(rec, "accept"), unknownOffset, ack(rec, "accept"));
    expect(mixed, 404, "SHARE_UNKNOWN_OFFSET", "acks[1]");
    JsonNode results = mixed.body().get("results");
    assertFalse(results.get(0).has("error"), "the first applied: " + results);
    assertEquals("SHARE_NOT_HELD", results.get(2).get("error").get("code").asText(), "twice");
    assertEquals(0, sum(describe("sq-g4"), "lag"), "accepted");
  }

  @Test
  void badPollsAreTypedErrors() {
    createTopic("sq-poll", 1);
    String p = "/v1/share-groups/sq-g5/poll";
    expect(http.post(port(1), p, "{}"), 400, "INVALID_REQUEST", "topics");
    expect(
        http.post(port(1), p, "{\"topics\":[\"sq-poll\"],\"max_records\":501}"),
        400,
        "INVALID_REQUEST",
        "max_records");
    expect(
        http.post(port(1), p, "{\"topics\":[\"sq-poll\"],\"max_wait_ms\":30001}"),
        400,
        "INVALID_REQUEST",
        "max_wait_ms");
    expect(
        http.post(
            port(1), p, "{\"topics\":[\"sq-poll\"],\"member_id\":\"" + "x".repeat(129) + "\"}"),
        400,
        "INVALID_REQUEST",
        "member_id");
    expect(
        http.post(port(1), p, "{\"topics\":[\"sq-poll\"],\"colour\":1}"),
        400,
        "INVALID_REQUEST",
        "colour");
    expect(http.post(port(1), p, "{\"topics\":[\"nope\"]}"), 404, "UNKNOWN_TOPIC_OR_PARTITION", "");
    expect(
        http.post(
            port(1),
            "/v1/topics/sq-poll/records",
            "{\"records\":[{\"value\":\"x\",\"delay_ms\":5,\"deliver_at_ms\":5}]}"),
        400,
        "INVALID_REQUEST",
        "records[0].delay_ms");
    expect(
        http.post(
            port(1),
            "/v1/topics/sq-poll/records",
            "{\"records\":[{\"value\":\"x\",\"delay_ms\":5,\"headers\":{\"keel.deliver.at\":\"9\"}}]}"),
        400,
        "INVALID_REQUEST",
        "records[0].headers.keel.deliver.at");
    assertEquals(405, http.get(port(1), p).status());
    Reply mine = poll(1, "sq-g5", pollBody("sq-poll", "php-worker-1", 0));
    assertEquals(200, mine.status(), mine.body().toString());
    assertEquals("php-worker-1", mine.body().get("member_id").asText(), "a chosen id is kept");
    Reply known = poll(2, "sq-g5", pollBody("sq-poll", "php-worker-1", 0));
    assertFalse(known.body().get("joined").asBoolean(), "known now: " + known.body());
    String member = "/v1/share-groups/sq-g5/members/php-worker-1";
    Reply left = leave(member);
    assertEquals(204, left.status(), left.body().toString());
    Reply rejoined = poll(1, "sq-g5", pollBody("sq-poll", "php-worker-1", 0));
    assertTrue(
        rejoined.body().get("joined").asBoolean(), "left, so joins again: " + rejoined.body());
  }

  @Test
  void delayedRecordsComeNoEarlierThanTheirTime() {
    createTopic("sq-later", 1);
    produce("sq-later", "[{\"value\":\"later\",\"delay_ms\":3000},{\"value\":\"now\"}]");
    String a = join("sq-g6", "sq-later");
    JsonNode now = take(1, "sq-g6", "sq-later", a, 1).get(0);
    assertEquals("now", now.get("value").asText(), "the delayed one waits");
    assertEquals(1, sum(describe("sq-g6"), "delayed"));
    JsonNode later = take(2, "sq-g6", "sq-later", a, 1).get(0);
    long due = Long.parseLong(later.get("headers").get("keel.deliver.at").asText());
    assertTrue(System.currentTimeMillis() >= due, "not before " + due);
    assertEquals(200, acks(1, "sq-g6", a, ack(now, "accept"), ack(later, "accept")).status());
  }

  @Test
  void leaveReleasesAtOnceAndRejectDeadLetters() {
    createTopic("sq-dlq", 1);
    produce("sq-dlq", "[{\"value\":\"poison\"},{\"value\":\"held\"}]");
    String a = join("sq-g7", "sq-dlq");
    List<JsonNode> got = take(1, "sq-g7", "sq-dlq", a, 2);
    JsonNode poison = got.get(0).get("value").asText().equals("poison") ? got.get(0) : got.get(1);
    JsonNode held = poison == got.get(0) ? got.get(1) : got.get(0);
    assertEquals(200, acks(2, "sq-g7", a, ack(poison, "reject")).status());
    String member = "/v1/share-groups/sq-g7/members/" + a;
    Reply left = leave(member);
    assertEquals(204, left.status(), left.body().toString());
    expect(leave(member), 404, "SHARE_UNKNOWN_MEMBER", "");
    String b = join("sq-g7", "sq-dlq");
    JsonNode back = take(1, "sq-g7", "sq-dlq", b, 1).get(0);
    assertEquals(held.get("offset").asLong(), back.get("offset").asLong());
    assertEquals(2, back.get("delivery_count").asInt());
    assertEquals(0, sum(describe("sq-g7"), "lock_expiries"), "released by the leave, not expiry");
    assertEquals(200, acks(1, "sq-g7", b, ack(back, "accept")).status());
    AtomicReference<JsonNode> dead = new AtomicReference<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          Reply r =
              http.get(
                  port(1),
                  "/v1/topics/sq-dlq.dlq/partitions/0/records?offset=earliest&format=json");
          if (r.status() == 200 && r.body().get("records").size() > 0) {
            dead.set(r.body().get("records").get(0));
          }
          return dead.get() != null;
        },
        () -> "no dead letter in sq-dlq.dlq");
    assertEquals("poison", dead.get().get("value").asText());
    assertEquals("rejected", dead.get().get("headers").get("keel.dlq.reason").asText());
    assertEquals("sq-g7", dead.get().get("headers").get("keel.dlq.group").asText());
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> sum(describe("sq-g7"), "lag") == 0,
        () -> "archived after the dead letter: " + describe("sq-g7"));
  }

  private static void expect(Reply r, int status, String code, String field) {
    assertEquals(status, r.status(), r.body().toString());
    assertEquals(code, r.errorCode(), r.body().toString());
    if (!field.isEmpty()) {
      assertEquals(field, r.errorField(), r.body().toString());
    }
    assertFalse(r.body().path("error").path("message").asText().isEmpty());
  }
}
