package io.keel.broker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.keel.broker.testing.LoopbackPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Forwarding channels to a peer that went down and came back, over real loopback sockets. */
@Timeout(60)
class PeerChannelsTest {

  /**
   * gRPC would next try a peer that was down for 3.3 s some 4.1-6.2 s after it went down (1 s, then
   * 1.6x per failure, ±20 %); a call forwarded to it once it is back must not wait for that. The
   * first call after the peer is back may still fail (the reconnect it starts is asynchronous); a
   * retry shortly after, as a client's after a 503, must get through.
   */
  @Test
  void aCallToAPeerThatCameBackDoesNotWaitOutTheReconnectBackoff() throws Exception {
    try (PeerChannels channels = new PeerChannels();
        LoopbackPeer peer = LoopbackPeer.start()) {
      String address = peer.host() + ":" + peer.port();
      assertEquals(Status.Code.UNIMPLEMENTED, LoopbackPeer.call(channels.get(address), 5_000));

      peer.downFor(Duration.ofMillis(3_300), () -> channels.get(address));
      peer.up();

      assertEquals(
          Status.Code.UNIMPLEMENTED,
          LoopbackPeer.callUntilReached(() -> channels.get(address), Duration.ofMillis(600)),
          "the peer was back but calls still failed 600 ms later");
    }
  }
}
