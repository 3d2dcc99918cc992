package io.keel.broker.transport;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gRPC channels from this node to other nodes' ports ("host:port"), one per address, for the calls
 * a node forwards (HTTP requests, offsets, member fences, share logs, produce forwarding) and the
 * term-fence requests of a rejoining replica.
 *
 * <p>A call goes to a peer only when this node's metadata names it (leader, coordinator), so a
 * channel still waiting out gRPC's reconnect backoff (1 s growing by 1.6x per failure: a peer down
 * for 10 s would be tried again ~6 s after it is back) starts reconnecting at once. The call itself
 * may still fail (the reconnect is asynchronous); the caller's retry shortly after gets through.
 * Against a peer that is really down this costs one refused connection per call.
 */
public final class PeerChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** The channel to {@code hostPort}, opened on first use, reconnecting now if it was failing. */
  public ManagedChannel get(String hostPort) {
    ManagedChannel channel =
        channels.computeIfAbsent(
            hostPort, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
    return channel;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
