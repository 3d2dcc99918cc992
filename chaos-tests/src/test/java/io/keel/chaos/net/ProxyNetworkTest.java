package io.keel.chaos.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyNetworkTest {
  /** Generous: a loaded machine may be slow to deliver. */
  private static final int DELIVERY_MS = 10_000;

  /** Blocked bytes never arrive, so a short wait proves nothing more than a long one would. */
  private static final int HELD_MS = 300;

  private ProxyNetwork net;
  private EchoServer node2;

  @BeforeEach
  void setUp() throws IOException {
    net = ProxyNetwork.create(3);
    String[] listen = net.addresses(2).listen().split(":");
    node2 = new EchoServer(listen[0], Integer.parseInt(listen[1]));
  }

  @AfterEach
  void tearDown() throws IOException {
    node2.close();
    net.close();
  }

  /** A connection from node 1 to node 2, through the 1 -> 2 proxy. */
  private Socket connectFrom1To2() throws IOException {
    String[] peer = net.addresses(1).peers().get(2).split(":");
    Socket s = new Socket(peer[0], Integer.parseInt(peer[1]));
    s.setSoTimeout(DELIVERY_MS);
    return s;
  }

  /** Asserts nothing comes back within a short wait: the link holds the bytes. */
  private static void assertHeld(Socket s, String text) throws IOException {
    s.setSoTimeout(HELD_MS);
    assertThrows(SocketTimeoutException.class, () -> roundTrip(s, text));
    s.setSoTimeout(DELIVERY_MS);
  }

  private static byte[] roundTrip(Socket s, String text) throws IOException {
    byte[] sent = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(sent);
    s.getOutputStream().flush();
    return s.getInputStream().readNBytes(sent.length);
  }

  @Test
  void addressesGiveEachNodeDistinctPortsAndProxiedPeers() {
    NodeAddresses a1 = net.addresses(1);
    NodeAddresses a2 = net.addresses(2);
    assertEquals(Set.of(2, 3), a1.peers().keySet());
    assertTrue(!a1.listen().equals(a2.listen()));
    assertTrue(!a1.peers().get(2).equals(a2.listen()), "peer traffic must go through a proxy");
  }

  @Test
  void blockedLinkStallsTrafficUntilHealedWithoutLosingBytes() throws IOException {
    try (Socket s = connectFrom1To2()) {
      assertArrayEquals("ping".getBytes(StandardCharsets.UTF_8), roundTrip(s, "ping"));

      net.partition(Set.of(new Link(1, 2)));
      assertHeld(s, "held");

      net.heal();
      assertEquals("held", new String(s.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
      assertArrayEquals("pong".getBytes(StandardCharsets.UTF_8), roundTrip(s, "pong"));
    }
  }

  @Test
  void oneWayBlockHoldsOnlyTheRepliesOfTheBlockedSender() throws IOException {
    try (Socket s = connectFrom1To2()) {
      net.partition(Set.of(new Link(2, 1)));
      assertHeld(s, "ask");

      net.partition(Set.of(new Link(1, 3)));
      assertEquals("ask", new String(s.getInputStream().readNBytes(3), StandardCharsets.UTF_8));
    }
  }

  @Test
  void degradationDelaysEveryChunk() throws IOException {
    net.degrade(new Degradation(Duration.ofMillis(150), 0));
    try (Socket s = connectFrom1To2()) {
      long start = System.nanoTime();
      roundTrip(s, "slow");
      // Both directions are delayed: at least two delays per round trip.
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    }
  }

  @Test
  void rejectsLinksToUnknownNodes() {
    assertThrows(IllegalArgumentException.class, () -> net.partition(Set.of(new Link(1, 4))));
    assertThrows(IllegalArgumentException.class, () -> net.addresses(0));
  }
}
