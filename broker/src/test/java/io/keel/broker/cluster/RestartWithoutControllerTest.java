package io.keel.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.keel.broker.controller.TopicInfo;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restarted node runs its partition replicas from its own disk as soon as its log is open, even
 * when no controller can register it.
 */
@Timeout(120)
class RestartWithoutControllerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(4); // nodes 1-3 are the controllers, node 4 is not
    cluster.awaitReady(WAIT);
    assertEquals(ErrorCode.NONE, cluster.createTopic("t", 4, 2).getError().getCode());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aRestartedNodeServesItsReplicasBeforeItCanRegister() {
    TestCluster.await(
        WAIT,
        () -> cluster.node(4).metadata().topic("t").isPresent(),
        () -> "node 4 never saw the topic");
    TopicInfo topic = cluster.node(4).metadata().topic("t").orElseThrow();
    List<Long> hosted = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      if (topic.replicas(p).contains(4)) {
        hosted.add(topic.groupId(p));
      }
    }
    TestCluster.await(
        WAIT,
        () -> hosted.stream().allMatch(g -> cluster.node(4).runtime().group(g) != null),
        () -> "node 4 never started its replicas");
    cluster.stopNode(4);
    // Without two of the three controllers there is no controller to register with.
    cluster.stopNode(2);
    cluster.stopNode(3);
    // Node 1 alone steps down (check-quorum), so nothing answers heartbeats with metadata.
    TestCluster.await(
        WAIT, () -> cluster.controllerLeader() == 0, () -> "node 1 still leads the controller");

    cluster.restartNode(4);

    TestCluster.await(
        WAIT,
        () -> hosted.stream().allMatch(g -> cluster.node(4).runtime().group(g) != null),
        () -> "node 4 did not start its replicas without a controller");
    assertFalse(cluster.node(4).isReady(), "node 4 cannot have registered");
  }
}
