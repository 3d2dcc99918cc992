package io.keel.broker.testing;

import io.grpc.Channel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.MetadataRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A node on a fixed loopback port that goes down and comes back: a real gRPC server (Netty) that
 * serves nothing, so a call that reaches it answers UNIMPLEMENTED and one that does not answers
 * UNAVAILABLE. For tests of what channels do across a peer's restart.
 */
public final class LoopbackPeer implements AutoCloseable {
  private final int port;
  private Server server;

  private LoopbackPeer(int port) {
    this.port = port;
  }

  public static LoopbackPeer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    LoopbackPeer peer = new LoopbackPeer(port);
    peer.up();
    return peer;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Stops the server, then calls it every 100 ms for {@code downFor}, each call UNAVAILABLE. */
  public void downFor(Duration downFor, Supplier<Channel> channel) throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    long downNanos = System.nanoTime();
    while (System.nanoTime() - downNanos < downFor.toNanos()) {
      Status.Code code = call(channel.get(), 200);
      if (code != Status.Code.UNAVAILABLE) {
        throw new AssertionError("a call to the stopped peer answered " + code);
      }
      Thread.sleep(100);
    }
  }

  /** Starts the server again on the same port. */
  public void up() throws IOException, InterruptedException {
    // The port was just released; binding it again can race the kernel for a moment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host(), port)).build().start();
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  /**
   * Calls every 50 ms until a call reaches the peer or {@code within} has passed; returns the last
   * call's status code (UNIMPLEMENTED once reached).
   */
  public static Status.Code callUntilReached(Supplier<Channel> channel, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Status.Code last;
    do {
      last = call(channel.get(), 200);
      if (last != Status.Code.UNAVAILABLE) {
        return last;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return last;
  }

  /** One Metadata call on {@code channel}; its status code (never OK: the peer serves nothing). */
  public static Status.Code call(Channel channel, long deadlineMs) throws InterruptedException {
    try {
      KeelClientGrpc.newFutureStub(channel)
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

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
