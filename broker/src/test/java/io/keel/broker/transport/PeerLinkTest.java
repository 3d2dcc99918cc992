package io.keel.broker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Message;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PeerLink applies gRPC flow control: a peer that stalls slows the link, it loses nothing. */
@Timeout(30)
class PeerLinkTest {
  private static final int APPENDS = 64;
  private static final int ENTRY_BYTES = 256 << 10; // 16 MiB in all: far beyond gRPC's windows

  private final CountDownLatch stalled = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private Server server;
  private PeerLink link;

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    if (link != null) {
      link.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStalledPeerGetsEveryMessageOnceItDrains() throws Exception {
    link = stalledLink(64L << 20);
    link.offer(appends(1, APPENDS));
    // The peer sits on its first frame well past the old 100 ms give-up: gRPC's windows fill, the
    // link waits for onReady with the rest queued.
    Thread.sleep(500);
    release.countDown();
    awaitReceived(APPENDS);
    assertEquals(0, link.droppedMessages(), "nothing dropped while the peer was slow");
    assertEquals(APPENDS, received.get(), "every append arrived");
  }

  @Test
  void whatWaitsForAStalledPeerIsBoundedInBytes() throws Exception {
    link = stalledLink(8L * ENTRY_BYTES);
    link.offer(appends(1, APPENDS));
    // At most 8 entries queue; gRPC's windows hold a few more (about 1 MiB): the rest is dropped.
    assertTrue(link.droppedMessages() >= APPENDS / 2, "dropped " + link.droppedMessages());
    release.countDown();
    awaitReceived(APPENDS - (int) link.droppedMessages());
    assertEquals(APPENDS, received.get() + link.droppedMessages(), "each one sent or dropped");
  }

  @Test
  void openingALinkSaysHelloBeforeAnyMessage() throws Exception {
    CountDownLatch hello = new CountDownLatch(1);
    server = serve(0, from -> hello.countDown());
    String address = "127.0.0.1:" + server.getPort();
    link = new PeerLink(1, 2, "c", id -> Optional.of(address), 1024, 1 << 20);
    link.open();
    assertTrue(hello.await(10, TimeUnit.SECONDS), "the peer heard the hello");
    assertEquals(0, received.get(), "a hello carries no message");
  }

  /**
   * A link backing off towards a down peer reconnects as soon as that peer is heard from (it
   * restarted and said hello), not when its backoff ends. Reopen attempts at about 0, 0.4, 1.2, 2.8
   * and 6.0 s (200 ms doubling); the peer is back at 4 s, so without the wake-up the first message
   * arrives only at 6 s.
   */
  @Test
  void aPeerHeardFromEndsTheBackoffTowardsIt() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    link =
        new PeerLink(
            1,
            2,
            "c",
            id -> Optional.of(address),
            1024,
            1 << 20,
            java.time.Duration.ofMillis(200),
            java.time.Duration.ofSeconds(60));
    long start = System.nanoTime();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4)) {
      link.offer(heartbeat());
      Thread.sleep(50);
    }
    release.countDown();
    server = serve(port, from -> {});
    link.heardFromPeer(); // as the peer's own link's hello would
    long back = System.nanoTime();
    while (received.get() == 0 && System.nanoTime() - back < TimeUnit.SECONDS.toNanos(10)) {
      link.offer(heartbeat());
      Thread.sleep(20);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
    System.out.println("peer back -> first message delivered: " + ms + " ms");
    assertTrue(received.get() > 0, "nothing delivered");
    assertTrue(ms < 1_000, "delivered " + ms + " ms after the peer was heard from");
  }

  private Server serve(int port, java.util.function.IntConsumer heardFrom) throws Exception {
    RaftTransportService service =
        new RaftTransportService(
            2, "c", messages -> received.addAndGet(messages.size()), heardFrom);
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(service)
        .build()
        .start();
  }

  private static List<Message> heartbeat() {
    return List.of(new Message.HeartbeatRequest(7, 1, 2, 1, 0, 0, 0));
  }

  /** A link to a peer that has taken its first frame and sits on it until released. */
  private PeerLink stalledLink(long queueBytes) throws Exception {
    RaftTransportService service =
        new RaftTransportService(
            2,
            "c",
            messages -> {
              stalled.countDown();
              awaitRelease();
              received.addAndGet(messages.size());
            });
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service)
            .maxInboundMessageSize(16 << 20) // as the broker: above PeerLink's frames
            .build()
            .start();
    String address = "127.0.0.1:" + server.getPort();
    PeerLink stalledLink = new PeerLink(1, 2, "c", id -> Optional.of(address), 1024, queueBytes);
    stalledLink.offer(appends(0, 1));
    assertTrue(stalled.await(10, TimeUnit.SECONDS), "the first frame reached the peer");
    return stalledLink;
  }

  private void awaitReceived(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (received.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private void awaitRelease() {
    try {
      release.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Message> appends(int from, int to) {
    List<Message> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Entry e = new Entry(1, i + 1, EntryType.NORMAL, new byte[ENTRY_BYTES]);
      out.add(new Message.AppendRequest(7, 1, 2, 1, i, 1, List.of(e), 0));
    }
    return out;
  }
}
