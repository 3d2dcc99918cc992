package io.keel.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Node loss, restart and controlled shutdown on a real 3-node cluster. */
class FailoverTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int PARTITIONS = 3;
  private TestCluster cluster;
  private TopicInfo topic;

  @BeforeEach
  void start() {
    // A tiny snapshot interval makes the metadata log compact, so restarts restore a snapshot.
    cluster = TestCluster.start(3, Map.of("raft.snapshot.interval.entries", "4"));
    cluster.awaitReady(WAIT);
    assertEquals(ErrorCode.NONE, cluster.createTopic("events", PARTITIONS, 3).getError().getCode());
    topic = cluster.node(1).metadata().topic("events").orElseThrow();
    awaitPreferredLeaders();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void stoppedNodeLosesLeadershipThenCatchesUpAndGetsItBack() {
    int victim = cluster.leaderOf("events", 0);
    cluster.stopNode(victim);

    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      TestCluster.await(
          WAIT,
          () -> cluster.leaderOf("events", partition) != 0,
          () -> "no leader for partition " + partition);
      assertNotEquals(victim, cluster.leaderOf("events", partition));
    }
    int survivor = cluster.runningNodes().get(0);
    TestCluster.await(
        WAIT,
        () -> !cluster.node(survivor).metadata().image().onlineBrokers().contains(victim),
        () -> "controller never marked node " + victim + " offline");

    // Metadata written while the victim is down: it must catch up on restart.
    assertEquals(ErrorCode.NONE, cluster.createTopic("while-down", 2, 2).getError().getCode());
    cluster.restartNode(victim);
    cluster.awaitReady(WAIT);
    TestCluster.await(
        WAIT,
        () -> cluster.node(victim).metadata().topic("while-down").isPresent(),
        () -> "restarted node never saw the topic created while it was down");
    for (int p = 0; p < PARTITIONS; p++) {
      long groupId = topic.groupId(p);
      TestCluster.await(
          WAIT,
          () -> caughtUp(victim, groupId),
          () -> "node " + victim + " did not catch up on group " + groupId);
    }
    // The balancer hands preferred leadership back once the node is healthy again.
    awaitPreferredLeaders();
  }

  @Test
  void controlledShutdownMovesLeadershipBeforeStopping() {
    int leaving = cluster.leaderOf("events", 0);
    List<Integer> led = partitionsLedBy(leaving);
    assertFalse(led.isEmpty());

    cluster.shutdownNode(leaving, Duration.ofSeconds(10));

    // A crash would leave these partitions leaderless for an election timeout; a handoff does not.
    for (int p : led) {
      int leader = cluster.leaderOf("events", p);
      assertNotEquals(0, leader, "partition " + p + " has no leader right after the shutdown");
      assertNotEquals(leaving, leader);
    }
    assertNotEquals(0, cluster.controllerLeader());
    int survivor = cluster.runningNodes().get(0);
    TestCluster.await(
        WAIT,
        () -> !cluster.node(survivor).metadata().image().onlineBrokers().contains(leaving),
        () -> "node " + leaving + " still online after a controlled shutdown");
  }

  @Test
  void controllerFailoverKeepsTopicChangesWorking() {
    int oldController = cluster.controllerLeader();
    cluster.stopNode(oldController);

    TestCluster.await(
        WAIT,
        () -> cluster.controllerLeader() != 0,
        () -> "no new controller after stopping node " + oldController);
    assertNotEquals(oldController, cluster.controllerLeader());
    int survivor = cluster.controllerLeader();
    TestCluster.await(
        WAIT,
        () -> !cluster.node(survivor).metadata().image().onlineBrokers().contains(oldController),
        () -> "new controller never marked node " + oldController + " offline");
    assertEquals(ErrorCode.NONE, cluster.createTopic("after-failover", 2, 2).getError().getCode());
    TopicInfo created =
        cluster.node(cluster.controllerLeader()).metadata().topic("after-failover").orElseThrow();
    for (int p = 0; p < 2; p++) {
      assertFalse(created.replicas(p).contains(oldController), "placed on an offline node");
    }

    cluster.restartNode(oldController);
    cluster.awaitReady(WAIT);
    TestCluster.await(
        WAIT,
        () -> cluster.node(oldController).metadata().topic("after-failover").isPresent(),
        () -> "restarted controller never learned the new topic");
  }

  private boolean caughtUp(int nodeId, long groupId) {
    int leader = 0;
    for (int id : cluster.runningNodes()) {
      RaftGroup g = cluster.node(id).runtime().group(groupId);
      if (g != null && g.isLeader()) {
        leader = id;
      }
    }
    if (leader == 0) {
      return false;
    }
    RaftGroup leaderGroup = cluster.node(leader).runtime().group(groupId);
    RaftGroup replica = cluster.node(nodeId).runtime().group(groupId);
    return replica != null
        && replica.appliedIndex() >= leaderGroup.commitIndex()
        && replica.term() == leaderGroup.term();
  }

  private List<Integer> partitionsLedBy(int nodeId) {
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      if (cluster.leaderOf("events", p) == nodeId) {
        out.add(p);
      }
    }
    return out;
  }

  private void awaitPreferredLeaders() {
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      int preferred = topic.replicas(p).get(0);
      TestCluster.await(
          WAIT,
          () -> cluster.leaderOf("events", partition) == preferred,
          () ->
              "partition "
                  + partition
                  + " led by "
                  + cluster.leaderOf("events", partition)
                  + ", preferred "
                  + preferred);
    }
    assertTrue(cluster.controllerLeader() != 0);
  }
}
