package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.keel.client.TopicPartition;
import io.keel.client.testing.FakeKeelCluster;
import io.keel.proto.LeaderHint;
import io.keel.proto.OffsetSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

  @Test
  void anElectionTheClientHearsOfEndsTheReconnectBackoffTowardsTheNewLeader() {
    // Every channel says it is failing (waiting out gRPC's reconnect backoff) and records resets.
    List<HostPort> resets = new CopyOnWriteArrayList<>();
    ChannelFactory inProcess = cluster.channelFactory();
    ChannelPool failing =
        new ChannelPool(address -> new FailingChannel(inProcess.open(address), address, resets));
    List<HostPort> bootstrap = cluster.bootstrapAll().stream().map(a -> HostPort.parse(a)).toList();
    MetadataManager manager = new MetadataManager(failing, bootstrap, REQUEST_TIMEOUT_MS, 300_000);
    try {
      manager.awaitUpdate(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "test");
      int leader = manager.current().leaderId(TP);
      long epoch = manager.current().leaderEpoch(TP);
      int next = leader % 3 + 1;
      resets.clear(); // the first answers name every leader as new

      // A hint of an election: that node is up, and its channel reconnects now.
      assertTrue(manager.onNotLeader(TP, leader, hint(next, epoch + 1)));
      assertEquals(List.of(address(next)), resets);

      // Answers that name no leader the client did not know change nothing.
      manager.awaitUpdate(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "test");
      assertFalse(manager.onNotLeader(TP, next, hint(leader, epoch)));
      assertEquals(List.of(address(next)), resets);

      // An election reported by a refresh does the same.
      int third = next % 3 + 1;
      cluster.moveLeader("t", 0, third); // epoch + 1 again: the hint's epoch, another leader
      cluster.moveLeader("t", 0, third); // epoch + 2
      manager.awaitUpdate(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), "test");
      assertEquals(third, manager.current().leaderId(TP));
      assertEquals(List.of(address(next), address(third)), resets);
    } finally {
      failing.close();
    }
  }

  /** A channel that reports TRANSIENT_FAILURE and records {@code resetConnectBackoff} calls. */
  private static final class FailingChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final HostPort address;
    private final List<HostPort> resets;

    FailingChannel(ManagedChannel delegate, HostPort address, List<HostPort> resets) {
      this.delegate = delegate;
      this.address = address;
      this.resets = resets;
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
      return ConnectivityState.TRANSIENT_FAILURE;
    }

    @Override
    public void resetConnectBackoff() {
      resets.add(address);
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return delegate.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }
  }

  private HostPort address(int node) {
    return HostPort.parse(cluster.bootstrapAll().get(node - 1));
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
