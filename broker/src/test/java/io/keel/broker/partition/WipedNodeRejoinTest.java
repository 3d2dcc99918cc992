package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.Broker;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real brokers (RocksDB, gRPC). Node 3's data directory is wiped (same id): every one of its
 * replicas, the metadata group's included, is admitted behind a term fence from its leader (never
 * bootstrapped again), starts at a term no lower than the one it had, and catches up. Then an
 * operator rebuild of one of its partition replicas goes the same way. With the wiped replicas
 * bootstrapped as before the fix ({@code FreshStarts.of} returning BOOTSTRAP), no replica is
 * admitted and the test fails.
 */
@Timeout(120)
class WipedNodeRejoinTest {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final String TOPIC = "wiped";
  private TestCluster cluster;
  private RetryingClient client;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(WAIT);
    client = new RetryingClient(cluster.bootstrap(), WAIT);
    client.createTopic(TOPIC, 2, 3);
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void aWipedNodeRejoinsBehindFencesAndARebuiltReplicaToo() throws Exception {
    long pid = client.initProducerId();
    for (int i = 0; i < 10; i++) {
      client.produce(TOPIC, i % 2, RetryingClient.batch(pid, i / 2, List.of("v" + i)));
    }
    TopicInfo topic = cluster.node(1).metadata().topic(TOPIC).orElseThrow();
    long group = topic.groupId(0);
    awaitCaughtUp(0, 5);
    long termBefore = cluster.node(3).runtime().group(group).term();
    long metadataTermBefore = cluster.node(3).runtime().group(0).term();

    cluster.stopNode(3);
    wipe(cluster.dataDir(3));
    cluster.restartNode(3);

    Broker node3 = cluster.node(3);
    // Metadata group, the two partitions, and any consumer-offsets partitions it hosts.
    TestCluster.await(
        WAIT, () -> node3.metrics().rejoinedReplicas() >= 3, () -> "rejoined: " + rejoined(node3));
    awaitCaughtUp(0, 5);
    awaitCaughtUp(1, 5);
    assertTrue(node3.runtime().group(group).term() >= termBefore, "term went back");
    assertTrue(node3.runtime().group(0).term() >= metadataTermBefore, "metadata term went back");
    assertTrue(node3.runtime().groups().stream().noneMatch(RaftGroup::rejoining));

    double before = node3.metrics().rejoinedReplicas();
    assertEquals(group, node3.partitions().rebuild(TOPIC, 0));
    TestCluster.await(
        WAIT,
        () -> node3.metrics().rejoinedReplicas() == before + 1,
        () -> "rebuilt replica not admitted: " + rejoined(node3));
    client.produce(TOPIC, 0, RetryingClient.batch(pid, 5, List.of("after")));
    awaitCaughtUp(0, 6);
  }

  private void awaitCaughtUp(int partition, long endOffset) {
    TestCluster.await(
        WAIT,
        () ->
            IntStream.rangeClosed(1, 3)
                .allMatch(
                    n ->
                        cluster
                                .node(n)
                                .partitions()
                                .status(TOPIC, partition)
                                .map(PartitionStatus::logEndOffset)
                                .orElse(-1L)
                            == endOffset),
        () -> "replicas of " + TOPIC + "-" + partition + " not at " + endOffset);
  }

  private static String rejoined(Broker node) {
    return node.metrics().rejoinedReplicas()
        + ", rejoining now "
        + node.runtime().groups().stream().filter(RaftGroup::rejoining).count();
  }

  private static void wipe(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
