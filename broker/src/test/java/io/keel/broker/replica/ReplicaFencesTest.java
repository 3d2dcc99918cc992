package io.keel.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.keel.broker.raft.Admission;
import io.keel.broker.raft.FreshStart;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.FenceRequest;
import io.keel.proto.FenceResponse;
import io.keel.proto.KeelReplicaGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a replica with a fresh store is admitted, against scripted peers on real loopback gRPC
 * servers: node 1 asks; nodes 2 and 3 answer what each test says.
 */
@Timeout(60)
class ReplicaFencesTest {
  private static final long GROUP = 1_048_576;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();
  private ReplicaFences fences;

  /**
   * One scripted node: its answer to probes and to fence requests, and how many requests it got.
   */
  private static final class Peer extends KeelReplicaGrpc.KeelReplicaImplBase {
    volatile FenceResponse probeAnswer;
    volatile FenceResponse fenceAnswer;
    final AtomicInteger calls = new AtomicInteger();
    Server server;

    @Override
    public void fence(FenceRequest request, StreamObserver<FenceResponse> out) {
      calls.incrementAndGet();
      out.onNext(request.getProbe() ? probeAnswer : fenceAnswer);
      out.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    for (int id : new int[] {2, 3}) {
      Peer peer = new Peer();
      peer.server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(peer)
              .build()
              .start();
      peers.put(id, peer);
    }
    fences =
        new ReplicaFences(
            1,
            "cluster",
            id -> Optional.ofNullable(peers.get(id)).map(p -> "127.0.0.1:" + p.server.getPort()),
            scheduler,
            Duration.ofMillis(20),
            Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    fences.close();
    scheduler.shutdownNow();
    peers.values().forEach(p -> p.server.shutdownNow());
  }

  private static FenceResponse answer(FenceResponse.State state, long term, int leader) {
    return FenceResponse.newBuilder().setState(state).setTerm(term).setLeaderId(leader).build();
  }

  private void script(int id, FenceResponse probe, FenceResponse fence) {
    peers.get(id).probeAnswer = probe;
    peers.get(id).fenceAnswer = fence;
  }

  private Admission.Admit admit(Set<Integer> voters, FreshStart mode) throws Exception {
    return fences.admit(GROUP, voters, mode).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aGroupWhoseOtherMemberNeverLeftTermZeroIsBootstrapped() throws Exception {
    // The other replica of an RF-2 group runs but needs this one's vote to elect anyone: it
    // stays at term 0 and can fence nobody.
    FenceResponse idle = answer(FenceResponse.State.RUNNING, 0, 0);
    script(2, idle, idle);
    assertEquals(new Admission.Bootstrap(), admit(Set.of(1, 2), FreshStart.REJOIN));
  }

  @Test
  void aGroupThatElectedALeaderAdmitsOnlyBehindItsFence() throws Exception {
    script(2, answer(FenceResponse.State.RUNNING, 4, 3), answer(FenceResponse.State.RUNNING, 4, 3));
    script(
        3,
        answer(FenceResponse.State.RUNNING, 4, 3),
        FenceResponse.newBuilder()
            .setState(FenceResponse.State.FENCED)
            .setTerm(4)
            .setLeaderId(3)
            .setIndex(17)
            .build());
    assertEquals(new Admission.Fenced(4, 3, 17), admit(Set.of(1, 2, 3), FreshStart.REJOIN));
  }

  @Test
  void onePeerAtTermZeroIsNotEnoughWhenAnotherHasVoted() throws Exception {
    FenceResponse idle = answer(FenceResponse.State.RUNNING, 0, 0);
    FenceResponse voted = answer(FenceResponse.State.RUNNING, 2, 0);
    script(2, idle, idle);
    script(3, voted, voted);
    CompletableFuture<Admission.Admit> admit =
        fences.admit(GROUP, Set.of(1, 2, 3), FreshStart.REJOIN);
    TestCluster.await(WAIT, () -> peers.get(3).calls.get() >= 6, () -> "fewer than 3 rounds");
    assertFalse(admit.isDone(), "admitted without a fence: " + admit);
    admit.cancel(false);
  }

  @Test
  void aPartitionWhoseOtherReplicasAllLostTheirStateStaysWaiting() throws Exception {
    FenceResponse fresh = answer(FenceResponse.State.FRESH, 0, 0);
    script(2, fresh, fresh);
    CompletableFuture<Admission.Admit> admit = fences.admit(GROUP, Set.of(1, 2), FreshStart.REJOIN);
    TestCluster.await(WAIT, () -> peers.get(2).calls.get() >= 6, () -> "fewer than 3 rounds");
    assertFalse(admit.isDone(), "restarted a partition whose data is gone: " + admit);
    admit.cancel(false);
  }

  @Test
  void theMetadataGroupBootstrapsWhenEveryOtherVoterIsFreshOrAtTermZero() throws Exception {
    script(2, answer(FenceResponse.State.FRESH, 0, 0), answer(FenceResponse.State.FRESH, 0, 0));
    script(3, answer(FenceResponse.State.RUNNING, 0, 0), answer(FenceResponse.State.RUNNING, 0, 0));
    assertEquals(new Admission.Bootstrap(), admit(Set.of(1, 2, 3), FreshStart.ASK_PEERS));
  }
}
