package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.TopicPartition;
import io.keel.client.testing.FakeKeelCluster;
import io.keel.proto.LeaderHint;
import io.keel.proto.OffsetSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Metadata refreshes and leader hints while a node has stopped answering. */
@Timeout(60)
class MetadataFailoverTest {
  private static final int REQUEST_TIMEOUT_MS = 30_000;
  private static final TopicPartition TP = new TopicPartition("t", 0);
  private FakeKeelCluster cluster;
  private ChannelPool channels;
  private MetadataManager metadata;

  @BeforeEach
  void setUp() throws Exception {
    cluster = FakeKeelCluster.start(3);
    cluster.createTopic("t", 1);
    channels = new ChannelPool(cluster.channelFactory());
    List<HostPort> bootstrap = cluster.bootstrapAll().stream().map(a -> HostPort.parse(a)).toList();
    metadata = new MetadataManager(channels, bootstrap, REQUEST_TIMEOUT_MS, 300_000);
  }

  @AfterEach
  void tearDown() {
    channels.close();
    cluster.close();
  }

  @Test
  void aStoppedNodeDoesNotHoldTheRefresh() {
    // The first node asked is paused: a refresh asking one node at a time would wait out its
    // request.timeout.ms (30 s) before trying the next.
    cluster.pauseNode(1, true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    ClusterSnapshot snapshot = metadata.awaitUpdate(deadline, "test");
    assertEquals(1, snapshot.partitionCount("t"));
  }

  @Test
  void aHintIsTakenAtOnceAndAnOlderAnswerCannotUndoIt() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    metadata.awaitUpdate(deadline, "test");
    int leader = metadata.current().leaderId(TP);
    long epoch = metadata.current().leaderEpoch(TP);
    int next = leader % 3 + 1;

    // The old leader says node `next` leads in a newer epoch: switch without a refresh.
    assertTrue(metadata.onNotLeader(TP, leader, hint(next, epoch + 1)));
    assertEquals(next, metadata.current().leaderId(TP));

    // Every node still answers the old leader and epoch (they have not heard of the election):
    // the refresh must keep the newer hint.
    metadata.awaitUpdate(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "test");
    assertEquals(next, metadata.current().leaderId(TP));
    assertEquals(epoch + 1, metadata.current().leaderEpoch(TP));

    // A hint older than what is known is ignored.
    assertFalse(metadata.onNotLeader(TP, next, hint(leader, epoch)));
    assertEquals(next, metadata.current().leaderId(TP));
  }

  @Test
  void anOffsetLookupFollowsTheLeaderAwayFromAStoppedNode() {
    metadata.awaitUpdate(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "test");
    int oldLeader = metadata.current().leaderId(TP);
    cluster.pauseNode(oldLeader, true);
    cluster.moveLeader("t", 0, oldLeader % 3 + 1);
    OffsetLookup lookup =
        new OffsetLookup(metadata, new BlockingRpc(channels, REQUEST_TIMEOUT_MS, 10));

    // Well within request.timeout.ms: the first attempt, at the paused node, must not use it all.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Map<TopicPartition, Long> offsets = lookup.lookup(Map.of(TP, OffsetSpec.Kind.LATEST), deadline);

    assertEquals(0L, offsets.get(TP));
  }

  private LeaderHint hint(int node, long epoch) {
    HostPort address = HostPort.parse(cluster.bootstrapAll().get(node - 1));
    return LeaderHint.newBuilder()
        .setLeaderId(node)
        .setLeaderEpoch(epoch)
        .setHost(address.host())
        .setPort(address.port())
        .build();
  }
}
