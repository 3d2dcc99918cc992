package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.testing.TestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restarted node follows its partitions from its own disk as soon as its store is open: while
 * every controller refuses to register it, it catches up on what was written while it was down and
 * then acknowledges appends (and votes) as the member a quorum needs. Prints the time from the
 * restart to caught up: the leaders reconnect when they hear the node's hello (PeerLink), not after
 * their backoff of up to 2 s.
 */
@Timeout(120)
class RestartedFollowerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "restarted";
  private static final int PARTITIONS = 3;
  private TestCluster cluster;
  private RetryingClient client;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3);
    cluster.awaitReady(WAIT);
    client = new RetryingClient(cluster.bootstrap(), WAIT);
    client.createTopic(TOPIC, PARTITIONS, 3);
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void aRestartedNodeFollowsAndAcknowledgesBeforeItRegisters() {
    long pid = client.initProducerId();
    int[] sequence = new int[PARTITIONS];
    produceToEveryPartition(pid, sequence);
    TopicInfo topic = cluster.node(1).metadata().topic(TOPIC).orElseThrow();
    int controller = cluster.controllerLeader();
    int victim = controller == 3 ? 2 : 3;
    int other = 6 - victim - controller;

    cluster.stopNode(victim);
    produceToEveryPartition(pid, sequence); // written while it is down: it must catch up
    Map<Long, Long> committed = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      long group = topic.groupId(p);
      committed.put(
          group, cluster.node(cluster.leaderOf(TOPIC, p)).runtime().group(group).commitIndex());
    }

    cluster.refuseRegistration(victim);
    long restartedAt = System.nanoTime();
    cluster.restartNode(victim);
    long startReturned = System.nanoTime();
    TestCluster.await(
        WAIT,
        () ->
            committed.entrySet().stream()
                .allMatch(
                    e -> {
                      RaftGroup g = cluster.node(victim).runtime().group(e.getKey());
                      return g != null && g.leaderId() != 0 && g.appliedIndex() >= e.getValue();
                    }),
        () ->
            "node "
                + victim
                + " did not follow before registering: "
                + progress(victim, committed));
    long caughtUp = System.nanoTime();
    System.out.printf(
        "restart -> caught up on %d partitions without registering: %d ms (start() took %d ms)%n",
        PARTITIONS,
        (caughtUp - restartedAt) / 1_000_000,
        (startReturned - restartedAt) / 1_000_000);

    // With the third node gone, every append needs the unregistered node's acknowledgement.
    cluster.stopNode(other);
    produceToEveryPartition(pid, sequence);
    assertFalse(cluster.node(victim).isReady(), "node " + victim + " registered after all");

    cluster.allowRegistration(victim);
    cluster.restartNode(other);
    cluster.awaitReady(WAIT);
  }

  private void produceToEveryPartition(long pid, int[] sequence) {
    for (int p = 0; p < PARTITIONS; p++) {
      client.produce(TOPIC, p, RetryingClient.batch(pid, sequence[p]++, List.of("v" + p)));
    }
  }

  private String progress(int nodeId, Map<Long, Long> committed) {
    StringBuilder out = new StringBuilder();
    committed.forEach(
        (group, index) -> {
          RaftGroup g = cluster.node(nodeId).runtime().group(group);
          out.append(
              g == null
                  ? "group " + group + " not started; "
                  : "group %d leader %d term %d applied %d of %d; "
                      .formatted(group, g.leaderId(), g.term(), g.appliedIndex(), index));
        });
    return out.toString();
  }
}
