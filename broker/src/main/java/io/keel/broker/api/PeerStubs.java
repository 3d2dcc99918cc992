package io.keel.broker.api;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Client-API stubs to other nodes, one channel per client address, for requests a node answers by
 * asking the partitions' leaders (DescribeTopics). Thread-safe.
 */
public final class PeerStubs implements AutoCloseable {
  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** A stub for one call to {@code hostPort} with the given deadline. */
  KeelClientFutureStub stub(String hostPort, Duration timeout) {
    ManagedChannel channel = channels.computeIfAbsent(hostPort, PeerStubs::open);
    return KeelClientGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static ManagedChannel open(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return NettyChannelBuilder.forAddress(
            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
        .usePlaintext()
        .build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
