package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.keel.proto.MetadataRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Channels to a node that went down and came back, over real loopback sockets. */
@Timeout(60)
class ChannelPoolTest {
  private final ChannelPool pool = new ChannelPool(ChannelFactory.netty());
  private Server server;

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.close();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * gRPC retries a failed connection after 1 s, then 1.6 s, 2.56 s, ... (±20 %): a node down for
   * 3.3 s is next tried 4.1-6.2 s after it went down. Told the node is up, the pool reconnects at
   * once.
   */
  @Test
  void aChannelWaitingOutItsBackoffReconnectsAtOnceWhenTheNodeIsKnownToBeUp() throws Exception {
    int port = freePort();
    HostPort address = new HostPort("127.0.0.1", port);
    server = startServer(port);
    assertEquals(Status.Code.UNIMPLEMENTED, call(address, 5_000)); // connected; it serves nothing

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    long downNanos = System.nanoTime();
    while (System.nanoTime() - downNanos < TimeUnit.MILLISECONDS.toNanos(3_300)) {
      assertEquals(Status.Code.UNAVAILABLE, call(address, 200));
      Thread.sleep(100);
    }
    server = startServer(port);

    pool.reconnectNow(address);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
    Status.Code last;
    do {
      last = call(address, 200);
      if (last != Status.Code.UNAVAILABLE) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    long sinceDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downNanos);
    assertEquals(
        Status.Code.UNIMPLEMENTED,
        last,
        "not reconnected within 600 ms of the node coming back ("
            + sinceDownMs
            + " ms after it went down)");
    assertTrue(
        sinceDownMs < 4_100, "reconnected only " + sinceDownMs + " ms after the node went down");
  }

  /** One Metadata call; its status code (never OK: the server is empty). */
  private Status.Code call(HostPort address, long deadlineMs) throws InterruptedException {
    try {
      pool.stub(address, deadlineMs).metadata(MetadataRequest.getDefaultInstance()).get();
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
