package io.keel.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Opens the channel to one node; tests substitute an in-process transport. */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(HostPort address);

  /**
   * Plaintext gRPC over Netty, with HTTP/2 keep-alive pings while calls are open: a node that stops
   * answering (paused, unplugged) without closing its connections fails the calls waiting on it
   * after {@link #KEEPALIVE_TIME} plus {@link #KEEPALIVE_TIMEOUT} instead of at their deadlines.
   * (gRPC does not ping more often than every 10 s; faster failover comes from the producer
   * abandoning requests to a node whose partitions moved, see {@code Sender}.) The HTTP/2 receive
   * window starts at {@link #INITIAL_FLOW_CONTROL_WINDOW_BYTES} (gRPC's default is 1 MiB, less than
   * one fetch response of two partitions at max.partition.fetch.bytes, so the broker had to wait
   * for a WINDOW_UPDATE mid-response); gRPC's automatic window tuning stays on.
   */
  static ChannelFactory netty() {
    return address ->
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .initialFlowControlWindow(INITIAL_FLOW_CONTROL_WINDOW_BYTES)
            .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .build();
  }

  Duration KEEPALIVE_TIME = Duration.ofSeconds(10);
  Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(2);
  int INITIAL_FLOW_CONTROL_WINDOW_BYTES = 8 << 20;
}
