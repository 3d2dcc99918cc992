package io.keel.broker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.MetadataRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Forwarding channels to a peer that went down and came back, over real loopback sockets. */
@Timeout(60)
class PeerChannelsTest {
  private final PeerChannels channels = new PeerChannels();
  private Server server;

  @AfterEach
  void tearDown() throws InterruptedException {
    channels.close();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * gRPC would next try a peer that was down for 3.3 s some 4.1-6.2 s after it went down (1 s, then
   * 1.6x per failure, ±20 %); a call forwarded to it once it is back must not wait for that.
   */
  @Test
  void aCallToAPeerThatCameBackDoesNotWaitOutTheReconnectBackoff() throws Exception {
    int port = freePort();
    String peer = "127.0.0.1:" + port;
    server = startServer(port);
    assertEquals(Status.Code.UNIMPLEMENTED, call(peer, 5_000)); // connected; it serves nothing

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    long downNanos = System.nanoTime();
    while (System.nanoTime() - downNanos < TimeUnit.MILLISECONDS.toNanos(3_300)) {
      assertEquals(Status.Code.UNAVAILABLE, call(peer, 200));
      Thread.sleep(100);
    }
    server = startServer(port);

    // The first call after the peer is back may still fail (the reconnect it starts is
    // asynchronous); a retry shortly after, as a client's after a 503, must get through.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
    Status.Code last;
    do {
      last = call(peer, 200);
      if (last != Status.Code.UNAVAILABLE) {
        break;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    long sinceDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downNanos);
    assertEquals(
        Status.Code.UNIMPLEMENTED,
        last,
        "the peer was back but calls still failed " + sinceDownMs + " ms after it went down");
  }

  /** One Metadata call; its status code (never OK: the server is empty). */
  private Status.Code call(String peer, long deadlineMs) throws InterruptedException {
    try {
      KeelClientGrpc.newFutureStub(channels.get(peer))
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
          .metadata(MetadataRequest.getDefaultInstance())
          .get();
      return Status.Code.OK;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
      throw new AssertionError(e);
    }
  }

  private static Server startServer(int port) throws IOException, InterruptedException {
    // The port was just released; binding it again can race the kernel for a moment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .build()
            .start();
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
