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
