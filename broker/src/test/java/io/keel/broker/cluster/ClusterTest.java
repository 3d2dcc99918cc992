package io.keel.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.controller.TopicInfo;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.ErrorCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 3-node cluster on real sockets and real RocksDB: controller, registration, placement. */
class ClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(WAIT);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void controllerElectsLeaderAndEveryNodeRegisters() {
    int controller = cluster.controllerLeader();
    assertNotEquals(0, controller);
    for (int id : cluster.runningNodes()) {
      var image = cluster.node(id).metadata().image();
      assertEquals(3, image.onlineBrokers().size(), "node " + id + " sees " + image.brokers());
    }
  }

  @Test
  void topicCreationSpreadsReplicasAndLeadersEvenly() {
    CreateTopicResult result = cluster.createTopic("placement", 6, 3);
    assertEquals(ErrorCode.NONE, result.getError().getCode(), result.toString());
    TopicInfo topic = cluster.node(1).metadata().topic("placement").orElseThrow();
    Map<Integer, Integer> preferred = new HashMap<>();
    Map<Integer, Integer> replicas = new HashMap<>();
    for (int p = 0; p < 6; p++) {
      preferred.merge(topic.replicas(p).get(0), 1, Integer::sum);
      topic.replicas(p).forEach(id -> replicas.merge(id, 1, Integer::sum));
      assertEquals(3, topic.replicas(p).stream().distinct().count());
    }
    assertEquals(Map.of(1, 2, 2, 2, 3, 2), preferred);
    assertEquals(Map.of(1, 6, 2, 6, 3, 6), replicas);
    for (int p = 0; p < 6; p++) {
      int partition = p;
      TestCluster.await(
          WAIT,
          () -> cluster.leaderOf("placement", partition) == topic.replicas(partition).get(0),
          () ->
              "leader of partition "
                  + partition
                  + " is "
                  + cluster.leaderOf("placement", partition));
    }
  }

  @Test
  void httpEndpointsReportLivenessReadinessAndMetrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int port = cluster.node(2).httpPort();
    assertEquals(200, get(http, port, "/health/live").statusCode());
    assertEquals(200, get(http, port, "/health/ready").statusCode());
    String metrics = get(http, port, "/metrics").body();
    for (String name :
        List.of(
            "keel_fsync_latency_seconds_bucket",
            "keel_raft_commit_latency_seconds_count",
            "keel_raft_leader_elections_total",
            "keel_produce_latency_seconds_bucket",
            "keel_partitions_under_replicated",
            "jvm_memory_used_bytes")) {
      assertTrue(metrics.contains(name), name + " missing from /metrics");
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void createTopicsReportsTypedErrors() {
    assertEquals(ErrorCode.NONE, cluster.createTopic("dup", 1, 1).getError().getCode());
    CreateTopicResult dup = cluster.createTopic("dup", 1, 1);
    assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, dup.getError().getCode());
    CreateTopicResult badRf = cluster.createTopic("too-many-replicas", 1, 4);
    assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, badRf.getError().getCode());
    assertTrue(badRf.getError().getMessage().contains("3 live brokers"), badRf.toString());
    CreateTopicResult badPartitions = cluster.createTopic("negative", -1, 1);
    assertEquals(ErrorCode.INVALID_PARTITIONS, badPartitions.getError().getCode());
    CreateTopicResult badConfig =
        cluster.createTopic("bad-config", 1, 1, Map.of("retention.hours", "1"));
    assertEquals(ErrorCode.INVALID_CONFIG, badConfig.getError().getCode());
    assertTrue(badConfig.getError().getMessage().contains("retention.hours"), badConfig.toString());
    CreateTopicResult badName = cluster.createTopic("no spaces", 1, 1);
    assertEquals(ErrorCode.INVALID_TOPIC_NAME, badName.getError().getCode());
    assertTrue(cluster.node(1).metadata().topic("bad-config").isEmpty());
  }
}
