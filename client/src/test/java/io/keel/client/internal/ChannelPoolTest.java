package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.grpc.Status;
import io.keel.broker.testing.LoopbackPeer;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Channels to a node that went down and came back, over real loopback sockets. */
@Timeout(60)
class ChannelPoolTest {

  /**
   * gRPC retries a failed connection after 1 s, then 1.6 s, 2.56 s, ... (±20 %): a node down for
   * 3.3 s is next tried 4.1-6.2 s after it went down. Told the node is up, the pool reconnects at
   * once.
   */
  @Test
  void aChannelWaitingOutItsBackoffReconnectsAtOnceWhenTheNodeIsKnownToBeUp() throws Exception {
    try (ChannelPool pool = new ChannelPool(ChannelFactory.netty());
        LoopbackPeer node = LoopbackPeer.start()) {
      HostPort address = new HostPort(node.host(), node.port());
      Supplier<Channel> channel = () -> pool.stub(address, 1_000).getChannel();
      assertEquals(Status.Code.UNIMPLEMENTED, LoopbackPeer.call(channel.get(), 5_000));

      node.downFor(Duration.ofMillis(3_300), channel);
      node.up();
      pool.reconnectNow(address);

      assertEquals(
          Status.Code.UNIMPLEMENTED,
          LoopbackPeer.callUntilReached(channel, Duration.ofMillis(600)),
          "not reconnected within 600 ms of the node coming back");
    }
  }
}
