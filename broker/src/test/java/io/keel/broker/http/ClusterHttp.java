package io.keel.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.keel.broker.http.HttpTestClient.Reply;
import io.keel.broker.testing.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The HTTP API of a {@link TestCluster} as the cluster tests call it: topics created and waited
 * for, and the retries a careful client makes while leaders move after a topic is created.
 */
final class ClusterHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RETRIES = 50;

  private final TestCluster cluster;
  private final HttpTestClient http = new HttpTestClient();

  ClusterHttp(TestCluster cluster) {
    this.cluster = cluster;
  }

  HttpTestClient client() {
    return http;
  }

  int port(int node) {
    return cluster.node(node).httpPort();
  }

  /** Creates {@code name} (RF 3) through node 1 and waits until every node knows its leaders. */
  void createTopic(String name, int partitions) {
    Reply r =
        http.post(
            port(1),
            "/v1/topics",
            "{\"name\":\""
                + name
                + "\",\"partitions\":"
                + partitions
                + ",\"replication_factor\":3}");
    assertEquals(201, r.status(), r.body().toString());
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> cluster.runningNodes().stream().allMatch(id -> knowsLeaders(id, name, partitions)),
        () -> "leaders of " + name);
  }

  private boolean knowsLeaders(int node, String topic, int partitions) {
    var metadata = cluster.node(node).metadata();
    var t = metadata.topic(topic);
    if (t.isEmpty()) {
      return false;
    }
    for (int p = 0; p < partitions; p++) {
      if (!metadata.partitionLeaders().containsKey(t.get().groupId(p))) {
        return false;
      }
    }
    return true;
  }

  /** Repeats {@code call} while it answers 503: the leader balancer moves leaders early on. */
  Reply retrying(Supplier<Reply> call) {
    for (int attempt = 0; ; attempt++) {
      Reply r = call.get();
      if (r.status() != 503 || attempt >= RETRIES) {
        return r;
      }
      pause(r);
    }
  }

  /**
   * Produces {@code records} (a JSON array) through {@code node}, re-sending after a 503 only the
   * records whose partition failed: the request's other partitions are stored, so re-sending the
   * whole request would store them twice.
   */
  void produceResending(int node, String topic, String records) {
    List<JsonNode> pending = new ArrayList<>();
    try {
      JSON.readTree(records).forEach(pending::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      ArrayNode body = JSON.createArrayNode().addAll(pending);
      Reply r =
          http.post(
              port(node),
              "/v1/topics/" + topic + "/records",
              "{\"format\":\"json\",\"records\":" + body + "}");
      if (r.status() == 200) {
        return;
      }
      assertTrue(r.status() == 503 && attempt < RETRIES, r.body().toString());
      JsonNode results = r.body().path("records");
      List<JsonNode> failed = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        if (!results.has(i) || results.get(i).has("error")) {
          failed.add(pending.get(i));
        }
      }
      pending = failed;
      pause(r);
    }
  }

  private static void pause(Reply r) {
    assertTrue(r.raw().headers().firstValue("Retry-After").isPresent(), "503 has Retry-After");
    try {
      Thread.sleep(200); // shorter than Retry-After; tests only
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
