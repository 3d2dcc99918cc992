package io.keel.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;

/** Opens the channel to one node; tests substitute an in-process transport. */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(HostPort address);

  /** Plaintext gRPC over Netty. */
  static ChannelFactory netty() {
    return address ->
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
  }
}
