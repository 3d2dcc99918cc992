package io.keel.client.internal;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import io.keel.proto.KeelClientGrpc.KeelClientStub;
import io.keel.proto.KeelShareGrpc;
import io.keel.proto.KeelShareGrpc.KeelShareBlockingStub;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One gRPC channel per node address, opened on first use and shared by all requests. */
public final class ChannelPool implements AutoCloseable {
  private final ChannelFactory factory;
  private final ConcurrentHashMap<HostPort, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public ChannelPool(ChannelFactory factory) {
    this.factory = factory;
  }

  /** A stub for one call to {@code address}, with the given deadline. */
  public KeelClientFutureStub stub(HostPort address, long timeoutMs) {
    Checks.state(!closed, "channel pool is closed");
    ManagedChannel channel = channels.computeIfAbsent(address, factory::open);
    return KeelClientGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** A share-group stub for one blocking call to {@code address}, with the given deadline. */
  public KeelShareBlockingStub shareStub(HostPort address, long timeoutMs) {
    Checks.state(!closed, "channel pool is closed");
    ManagedChannel channel = channels.computeIfAbsent(address, factory::open);
    return KeelShareGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** An asynchronous stub without a deadline, for long-lived streams to {@code address}. */
  public KeelClientStub streamStub(HostPort address) {
    Checks.state(!closed, "channel pool is closed");
    return KeelClientGrpc.newStub(channels.computeIfAbsent(address, factory::open));
  }

  /**
   * Ends the reconnect backoff of the channel to {@code address} if it is failing: evidence that
   * the node is up again (it was just elected leader) should not wait for gRPC's exponential
   * backoff (1 s growing by 1.6x, so a node down for 10 s is retried only ~6 s after it is back).
   * Calls on a failing channel fail at once, and a reconnect attempt is cheap, so this is safe to
   * call on every election the client hears of.
   */
  public void reconnectNow(HostPort address) {
    ManagedChannel channel = channels.get(address);
    if (channel != null && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : channels.values()) {
      try {
        if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
