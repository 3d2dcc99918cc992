package io.keel.broker.group;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.broker.testing.TestCluster;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientBlockingStub;
import io.keel.proto.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** Speaks the raw group protocol to a test cluster, following the coordinator as it moves. */
final class RawGroupClient implements AutoCloseable {
  private final TestCluster cluster;
  private final List<ManagedChannel> channels = new ArrayList<>();

  RawGroupClient(TestCluster cluster) {
    this.cluster = cluster;
  }

  private synchronized KeelClientBlockingStub stub(String host, int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    channels.add(ch);
    return KeelClientGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  KeelClientBlockingStub node(int id) {
    var address = cluster.node(id).clientAddress();
    return stub(address.host(), address.port());
  }

  KeelClientBlockingStub anyNode() {
    int id = cluster.runningNodes().get(0);
    var address = cluster.node(id).clientAddress();
    return stub(address.host(), address.port());
  }

  /** Waits for FindCoordinator to name a coordinator that serves the group. */
  KeelClientBlockingStub coordinator(String groupId) {
    AtomicReference<Node> found = new AtomicReference<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          FindCoordinatorResponse r =
              anyNode()
                  .findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(groupId).build());
          if (r.getError().getCode() != ErrorCode.NONE) {
            return false;
          }
          found.set(r.getCoordinator());
          ConsumerGroupHeartbeatResponse probe =
              stub(r.getCoordinator().getHost(), r.getCoordinator().getPort())
                  .consumerGroupHeartbeat(
                      ConsumerGroupHeartbeatRequest.newBuilder()
                          .setGroupId(groupId)
                          .setMemberId("probe")
                          .setMemberEpoch(1)
                          .build());
          return probe.getError().getCode() == ErrorCode.UNKNOWN_MEMBER_ID;
        },
        () -> "no serving coordinator for " + groupId);
    return stub(found.get().getHost(), found.get().getPort());
  }

  /**
   * Calls the group's coordinator, finding it again when leadership moved (the leader balancer
   * moves fresh partitions to their preferred replicas), as a client does.
   */
  <T> T call(String groupId, Function<KeelClientBlockingStub, T> rpc, Function<T, ErrorCode> code) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      T r = rpc.apply(coordinator(groupId));
      ErrorCode c = code.apply(r);
      boolean moved = c == ErrorCode.NOT_COORDINATOR || c == ErrorCode.COORDINATOR_LOADING;
      if (!moved || System.nanoTime() - deadline > 0) {
        return r;
      }
    }
  }

  @Override
  public synchronized void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
