package io.keel.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keel.broker.http.HttpTestClient.Reply;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.records.KeyHash;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/JSON API against a real three-node cluster in this JVM: every request goes through Netty
 * over loopback sockets, and is forwarded over gRPC where the leader is another node.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpApiClusterTest {
  private static final int MAX_BODY = 64 * 1024;
  private static TestCluster cluster;
  private static ClusterHttp api;
  private static HttpTestClient http;

  @BeforeAll
  static void startCluster() {
    cluster =
        TestCluster.start(
            3,
            Map.of(
                "http.max.body.bytes", Integer.toString(MAX_BODY),
                "http.read.timeout.ms", "1000",
                "http.max.inflight.requests", "6",
                "http.max.connections", "32",
                "group.heartbeat.interval.ms", "200",
                "group.session.timeout.ms", "5000"));
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

  private static long highWatermark(String topic, int partition) {
    // From the leader (offset=latest is its high watermark); describe shows only local replicas'.
    Reply r =
        fetch(1, "/v1/topics/" + topic + "/partitions/" + partition + "/records?offset=latest");
    assertEquals(200, r.status(), r.body().toString());
    return r.body().get("next_offset").asLong();
  }

  private static Reply produce(int node, String topic, String body) {
    return retrying(() -> http.post(port(node), "/v1/topics/" + topic + "/records", body));
  }

  /** Fetches, retrying 503s: the leader balancer moves leaders soon after a topic is created. */
  private static Reply fetch(int node, String path) {
    return retrying(() -> http.get(port(node), path));
  }

  private static Reply retrying(Supplier<Reply> call) {
    return api.retrying(call);
  }

  @Test
  void topicsAndClusterStatus() {
    createTopic("admin-t", 2);
    Reply again = http.post(port(2), "/v1/topics", "{\"name\":\"admin-t\",\"partitions\":2}");
    assertEquals(409, again.status());
    assertEquals("TOPIC_ALREADY_EXISTS", again.errorCode());
    Reply list = http.get(port(3), "/v1/topics");
    assertEquals(200, list.status());
    assertTrue(list.body().get("topics").toString().contains("\"admin-t\""));
    Reply describe = http.get(port(2), "/v1/topics/admin-t");
    assertEquals(2, describe.body().get("partitions").size());
    assertEquals(404, http.get(port(1), "/v1/topics/nope").status());
    Reply status = http.get(port(3), "/v1/cluster");
    assertEquals(200, status.status());
    assertEquals(3, status.body().get("nodes").size());
  }

  @Test
  void produceThenFetchInEveryFormatFromAnyNode() {
    createTopic("formats", 3);
    Reply json =
        produce(
            2,
            "formats",
            "{\"format\":\"json\",\"records\":[{\"key\":\"k1\",\"value\":{\"n\":1},"
                + "\"headers\":{\"h\":\"v\"}},{\"key\":\"k1\",\"value\":[1,2]}]}");
    assertEquals(200, json.status(), json.body().toString());
    JsonNode recs = json.body().get("records");
    int partition = recs.get(0).get("partition").asInt();
    assertEquals(partition, recs.get(1).get("partition").asInt(), "one key, one partition");
    assertEquals(KeyHash.partitionOf("\"k1\"".getBytes(StandardCharsets.UTF_8), 3), partition);
    long offset = recs.get(0).get("offset").asLong();
    assertEquals(offset + 1, recs.get(1).get("offset").asLong());
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 7});
    Reply bin =
        produce(
            3,
            "formats",
            "{\"format\":\"base64\",\"records\":[{\"value\":\""
                + b64
                + "\",\"partition\":"
                + partition
                + "}]}");
    assertEquals(200, bin.status(), bin.body().toString());
    for (int node = 1; node <= 3; node++) {
      Reply f =
          fetch(
              node,
              "/v1/topics/formats/partitions/"
                  + partition
                  + "/records?offset="
                  + offset
                  + "&format=json&max_records=2");
      assertEquals(200, f.status(), f.body().toString());
      JsonNode got = f.body().get("records");
      assertEquals(2, got.size());
      assertEquals("{\"n\":1}", got.get(0).get("value").toString());
      assertEquals("v", got.get(0).get("headers").get("h").asText());
      assertEquals(offset + 2, f.body().get("next_offset").asLong());
    }
    Reply asB64 =
        fetch(
            1,
            "/v1/topics/formats/partitions/"
                + partition
                + "/records?offset="
                + (offset + 2)
                + "&format=base64");
    assertEquals(b64, asB64.body().get("records").get(0).get("value").asText());
    Reply notJson =
        fetch(
            1,
            "/v1/topics/formats/partitions/"
                + partition
                + "/records?offset="
                + (offset + 2)
                + "&format=text");
    assertEquals(422, notJson.status(), "bytes that are not UTF-8 are not text");
  }

  @Test
  void longPollReturnsWhenARecordArrives() throws Exception {
    createTopic("poll", 1);
    CompletableFuture<Reply> waiting =
        CompletableFuture.supplyAsync(
            () -> fetch(3, "/v1/topics/poll/partitions/0/records?offset=latest&max_wait_ms=20000"));
    TestCluster.await(
        Duration.ofSeconds(10),
        () -> {
          Reply r = produce(1, "poll", "{\"records\":[{\"value\":\"hello\"}]}");
          assertEquals(200, r.status());
          return waiting.isDone();
        },
        () -> "long poll still waiting");
    Reply got = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, got.status(), got.body().toString());
    assertEquals("hello", got.body().get("records").get(0).get("value").asText());
    Reply empty = fetch(2, "/v1/topics/poll/partitions/0/records?offset=latest&max_wait_ms=300");
    assertEquals(0, empty.body().get("records").size(), "nothing new: an empty answer");
  }

  @Test
  void badInputIsAClearErrorAndStoresNothing() {
    createTopic("bad", 2);
    assertEquals(
        200, produce(1, "bad", "{\"records\":[{\"value\":\"x\",\"partition\":0}]}").status());
    long before0 = highWatermark("bad", 0);
    assertTrue(before0 >= 1, "partition 0 holds the record: " + before0);
    long before1 = highWatermark("bad", 1);
    String p = "/v1/topics/bad/records";
    expect(http.post(port(1), p, "{\"records\": [ {\"value\": "), 400, "INVALID_REQUEST", "body");
    expect(http.post(port(1), p, "[1,2]"), 400, "INVALID_REQUEST", "body");
    expect(http.post(port(1), p, ""), 400, "INVALID_REQUEST", "body");
    expect(
        http.post(port(1), p, "{\"records\":[{\"value\":\"a\",\"partition\":\"zero\"}]}"),
        400,
        "INVALID_REQUEST",
        "records[0].partition");
    expect(
        http.post(port(1), p, "{\"records\":[{\"value\":\"a\"},{\"vaule\":\"b\"}]}"),
        400,
        "INVALID_REQUEST",
        "records[1].vaule");
    expect(
        http.post(port(1), p, "{\"records\":[{\"value\":\"a\"},{\"value\":5}]}"),
        400,
        "INVALID_REQUEST",
        "records[1].value");
    expect(
        http.post(port(1), p, "{\"format\":\"base64\",\"records\":[{\"value\":\"!!\"}]}"),
        400,
        "INVALID_REQUEST",
        "records[0].value");
    expect(
        http.post(port(1), p, "{\"acks\":2,\"records\":[{\"value\":\"a\"}]}"),
        400,
        "INVALID_REQUEST",
        "acks");
    expect(http.post(port(1), p, "{\"records\":[]}"), 400, "INVALID_REQUEST", "records");
    expect(
        http.post(port(1), p, "{\"records\":[{\"value\":\"a\",\"partition\":7}]}"),
        404,
        "UNKNOWN_TOPIC_OR_PARTITION",
        "records[0].partition");
    expect(
        http.post(port(1), "/v1/topics/none/records", "{\"records\":[{\"value\":\"a\"}]}"),
        404,
        "UNKNOWN_TOPIC_OR_PARTITION",
        "");
    String big = "x".repeat(MAX_BODY);
    assertEquals(
        413, http.post(port(2), p, "{\"records\":[{\"value\":\"" + big + "\"}]}").status());
    String deep = "[".repeat(500) + "]".repeat(500);
    expect(
        http.post(port(1), p, "{\"format\":\"json\",\"records\":[{\"value\":" + deep + "}]}"),
        400,
        "INVALID_REQUEST",
        "body");
    String f = "/v1/topics/bad/partitions/";
    expect(fetch(1, f + "0/records?offset=99999"), 416, "OFFSET_OUT_OF_RANGE", "");
    expect(http.get(port(1), f + "0/records?offset=-1"), 400, "INVALID_REQUEST", "offset");
    expect(http.get(port(1), f + "0/records?offset=soon"), 400, "INVALID_REQUEST", "offset");
    expect(http.get(port(1), f + "0/records"), 400, "INVALID_REQUEST", "offset");
    expect(
        http.get(port(1), f + "0/records?offset=0&max_wait_ms=999999"),
        400,
        "INVALID_REQUEST",
        "max_wait_ms");
    expect(
        http.get(port(1), f + "0/records?offset=0&colour=red"), 400, "INVALID_REQUEST", "colour");
    expect(
        http.get(port(1), f + "9/records?offset=0"),
        404,
        "UNKNOWN_TOPIC_OR_PARTITION",
        "partition");
    expect(http.get(port(1), f + "x/records?offset=0"), 400, "INVALID_REQUEST", "partition");
    expect(http.get(port(1), "/v1/groups/g/members/nobody/records"), 404, "UNKNOWN_MEMBER_ID", "");
    expect(
        http.post(port(1), "/v1/groups/g/members/nobody/commit", ""), 404, "UNKNOWN_MEMBER_ID", "");
    assertEquals(405, http.send(port(1), "DELETE", p, null).status());
    assertEquals(404, http.get(port(1), "/v1/nothing").status());
    assertEquals(before0, highWatermark("bad", 0), "nothing stored on partition 0");
    assertEquals(before1, highWatermark("bad", 1), "nothing stored on partition 1");
  }

  private static void expect(Reply r, int status, String code, String field) {
    assertEquals(status, r.status(), r.body().toString());
    assertEquals(code, r.errorCode(), r.body().toString());
    if (!field.isEmpty()) {
      assertEquals(field, r.errorField(), r.body().toString());
    }
    assertFalse(r.body().path("error").path("message").asText().isEmpty());
  }

  @Test
  void groupMemberPollsCommitsAndTheNextMemberResumes() {
    createTopic("work", 2);
    for (int i = 0; i < 6; i++) {
      assertEquals(
          200, produce(1, "work", "{\"records\":[{\"value\":\"task-" + i + "\"}]}").status());
    }
    String base = "/v1/groups/workers/members";
    Reply created =
        retrying(
            () ->
                http.post(
                    port(2), base, "{\"topics\":[\"work\"],\"auto_offset_reset\":\"earliest\"}"));
    assertEquals(201, created.status(), created.body().toString());
    String member = base + "/" + created.body().get("member_id").asText();
    assertEquals(404, http.get(port(3), member + "/records").status(), "member lives on node 2");
    List<String> seen = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> {
          Reply r = retrying(() -> http.get(port(2), member + "/records?max_wait_ms=500"));
          assertEquals(200, r.status(), r.body().toString());
          r.body().get("records").forEach(rec -> seen.add(rec.get("value").asText()));
          return seen.size() >= 6;
        },
        () -> "polled " + seen);
    assertEquals(6, seen.size(), "each record once: " + seen);
    // A commit names offsets: repeating one after a 503 (coordinator moving) commits the same.
    assertEquals(200, retrying(() -> http.post(port(2), member + "/commit", "")).status());
    assertEquals(204, http.send(port(2), "DELETE", member, null).status());
    assertEquals(404, http.get(port(2), member + "/records").status(), "closed");
    assertEquals(200, produce(3, "work", "{\"records\":[{\"value\":\"task-6\"}]}").status());
    Reply next =
        retrying(
            () ->
                http.post(
                    port(1), base, "{\"topics\":[\"work\"],\"auto_offset_reset\":\"earliest\"}"));
    assertEquals(201, next.status(), next.body().toString());
    String member2 = base + "/" + next.body().get("member_id").asText();
    List<String> resumed = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> {
          retrying(() -> http.get(port(1), member2 + "/records?max_wait_ms=500"))
              .body()
              .get("records")
              .forEach(rec -> resumed.add(rec.get("value").asText()));
          return !resumed.isEmpty();
        },
        () -> "second member got nothing");
    assertEquals(List.of("task-6"), resumed, "only what was not committed");
  }

  @Test
  void slowClientGets408AndConnectionFloodIsShed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port(1))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{".getBytes());
      out.flush();
      String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 408"), reply);
    }
    List<Socket> flood = new ArrayList<>();
    try {
      int closed = 0;
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket("127.0.0.1", port(3));
        s.setSoTimeout(5_000);
        flood.add(s);
      }
      for (Socket s : flood) {
        s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      }
      for (Socket s : flood) {
        InputStream in = s.getInputStream();
        try {
          if (in.read() == -1) {
            closed++;
          }
        } catch (java.net.SocketException reset) {
          closed++;
        }
      }
      assertTrue(closed >= 8, "connections beyond http.max.connections are shed: " + closed);
    } finally {
      for (Socket s : flood) {
        s.close();
      }
    }
    TestCluster.await(
        Duration.ofSeconds(10),
        () -> http.get(port(3), "/health/live").status() == 200,
        () -> "node 3 serves again after the flood");
  }

  @Test
  void tooManyRequestsInFlightGet429WithRetryAfter() throws Exception {
    createTopic("busy", 1);
    assertEquals(200, produce(2, "busy", "{\"records\":[{\"value\":\"warm\"}]}").status());
    // Six pollers on threads of their own (the common pool has one worker on a 2-core machine),
    // each polling again as soon as its long poll ends, so six wait whenever the probe asks.
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pollers = Executors.newFixedThreadPool(6);
    List<CompletableFuture<List<Integer>>> polls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      polls.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<Integer> statuses = new ArrayList<>();
                while (!stop.get()) {
                  statuses.add(
                      fetch(
                              2,
                              "/v1/topics/busy/partitions/0/records?offset=latest&max_wait_ms=4000")
                          .status());
                }
                return statuses;
              },
              pollers));
    }
    pollers.shutdown();
    Reply shed = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try {
      while (shed == null && System.nanoTime() < deadline) {
        Reply r = http.get(port(2), "/v1/cluster");
        if (r.status() == 429) {
          shed = r;
        }
      }
    } finally {
      stop.set(true);
    }
    assertNotEquals(null, shed, "a seventh request is shed while six wait");
    assertEquals("1", shed.raw().headers().firstValue("Retry-After").orElseThrow());
    for (CompletableFuture<List<Integer>> p : polls) {
      List<Integer> statuses = p.get(30, TimeUnit.SECONDS);
      // A poller that asked while the probe held the seventh slot was shed itself.
      assertTrue(
          statuses.stream().allMatch(st -> st == 200 || st == 429), "poll statuses " + statuses);
      assertTrue(statuses.contains(200), "poll statuses " + statuses);
    }
  }

  /** Seeded: random and mutated bodies never get a 500 (nor hang: every call has a timeout). */
  @Test
  void fuzzedBodiesNeverCauseServerErrors() {
    createTopic("fuzz", 1);
    long seed = Long.getLong("keel.fuzz.seed", System.nanoTime());
    System.out.println(
        "fuzz seed "
            + seed
            + "; replay: -Dtest=HttpApiClusterTest#fuzzedBodiesNeverCauseServerErrors"
            + " -Dkeel.fuzz.seed="
            + seed);
    SplittableRandom random = new SplittableRandom(seed);
    String[] valid = {
      "{\"format\":\"json\",\"acks\":1,\"records\":[{\"key\":\"k\",\"value\":{\"a\":[1,2.5,null]},"
          + "\"headers\":{\"h\":\"v\"},\"partition\":0,\"timestamp_ms\":5}]}",
      "{\"name\":\"fz\",\"partitions\":1,\"replication_factor\":1,\"configs\":{\"retention.ms\":\"1\"}}",
      "{\"topics\":[\"fuzz\"],\"auto_offset_reset\":\"earliest\",\"session_timeout_ms\":1000}",
      "{\"topics\":[\"fuzz\"],\"member_id\":\"fz-1\",\"max_records\":2,\"format\":\"json\"}",
      "{\"member_id\":\"fz-1\",\"acks\":[{\"topic\":\"fuzz\",\"partition\":0,\"offset\":0,"
          + "\"type\":\"accept\"}]}",
    };
    String[] paths = {
      "/v1/topics/fuzz/records",
      "/v1/topics",
      "/v1/groups/fz/members",
      "/v1/share-groups/fz/poll",
      "/v1/share-groups/fz/acks"
    };
    String alphabet = "{}[]\":,0123456789-.eE truefalsnul\\u\u00e9\u0000abc";
    for (int i = 0; i < 300; i++) {
      int which = random.nextInt(valid.length);
      StringBuilder body = new StringBuilder(valid[which]);
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations && body.length() > 0; m++) {
        int at = random.nextInt(body.length());
        switch (random.nextInt(3)) {
          case 0 -> body.deleteCharAt(at);
          case 1 -> body.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> body.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      Reply r = http.post(port(1 + random.nextInt(3)), paths[which], body.toString());
      assertTrue(
          r.status() < 500 || r.status() == 503 || r.status() == 504,
          "seed " + seed + " input " + body + " -> " + r.status() + " " + r.body());
    }
  }
}
