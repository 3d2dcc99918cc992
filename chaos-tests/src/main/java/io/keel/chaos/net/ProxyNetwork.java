package io.keel.chaos.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every node on loopback with its own ports; node i reaches node j only through a fault-injecting
 * proxy dedicated to the directed link i -> j. Blocking link (a, b) holds back bytes a sends to b
 * on both proxies between them (a's requests to b, and a's replies on b's connections to a).
 *
 * <p>Requires the broker to reach peers through the addresses in its own configuration
 * (controller.quorum.voters), not through addresses learned from metadata.
 */
public final class ProxyNetwork implements Network {
  private static final String LOOPBACK = "127.0.0.1";

  private final int nodes;
  private final int[] brokerPorts;
  private final int[] httpPorts;
  private final Map<Link, TcpProxy> proxies = new HashMap<>();

  private ProxyNetwork(int nodes) {
    this.nodes = nodes;
    this.brokerPorts = new int[nodes + 1];
    this.httpPorts = new int[nodes + 1];
  }

  public static ProxyNetwork create(int nodes) {
    if (nodes < 1 || nodes > 50) {
      throw new IllegalArgumentException("nodes must be in [1, 50], got " + nodes);
    }
    ProxyNetwork net = new ProxyNetwork(nodes);
    try {
      net.setUp();
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  private void setUp() {
    for (int i = 1; i <= nodes; i++) {
      brokerPorts[i] = freePort();
      httpPorts[i] = freePort();
    }
    for (int from = 1; from <= nodes; from++) {
      for (int to = 1; to <= nodes; to++) {
        if (from != to) {
          InetSocketAddress upstream = new InetSocketAddress(LOOPBACK, brokerPorts[to]);
          proxies.put(new Link(from, to), new TcpProxy(from + "-" + to, upstream));
        }
      }
    }
  }

  // Brokers' ports come from below the kernel's ephemeral range (32768-60999 by default), so that
  // neither the proxies' own port-0 binds nor any outgoing connection can take one of them between
  // this check and the broker's bind (a proxy once got a just-released broker port).
  private static final int FIRST_PORT = 20_000;
  private static final int LAST_PORT = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger NEXT =
      new AtomicInteger(FIRST_PORT + ThreadLocalRandom.current().nextInt(LAST_PORT - FIRST_PORT));

  /** A port below the ephemeral range that is free now and not handed out by this JVM before. */
  private static int freePort() {
    for (int tries = 0; tries < LAST_PORT - FIRST_PORT; tries++) {
      int port = FIRST_PORT + Math.floorMod(NEXT.getAndIncrement(), LAST_PORT - FIRST_PORT);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      } catch (IOException inUse) {
        continue;
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free loopback port in " + FIRST_PORT + "-" + LAST_PORT + " for the brokers");
  }

  @Override
  public String kind() {
    return "proxy";
  }

  @Override
  public NodeAddresses addresses(int node) {
    checkNode(node);
    Map<Integer, String> peers = new HashMap<>();
    for (int j = 1; j <= nodes; j++) {
      if (j != node) {
        peers.put(j, LOOPBACK + ":" + proxies.get(new Link(node, j)).port());
      }
    }
    String broker = LOOPBACK + ":" + brokerPorts[node];
    return new NodeAddresses(broker, broker, LOOPBACK + ":" + httpPorts[node], peers);
  }

  @Override
  public List<String> wrap(int node, List<String> command) {
    checkNode(node);
    return new ArrayList<>(command);
  }

  @Override
  public synchronized void partition(Set<Link> blocked) {
    blocked.forEach(l -> checkNode(l.from()));
    blocked.forEach(l -> checkNode(l.to()));
    proxies.forEach(
        (link, proxy) -> {
          proxy.forward().setBlocked(blocked.contains(link));
          proxy.backward().setBlocked(blocked.contains(link.reversed()));
        });
  }

  @Override
  public boolean supportsDegradation() {
    return true;
  }

  @Override
  public synchronized void degrade(Degradation d) {
    for (TcpProxy p : proxies.values()) {
      p.forward().degrade(d);
      p.backward().degrade(d);
    }
  }

  @Override
  public synchronized void heal() {
    partition(Set.of());
    degrade(new Degradation(java.time.Duration.ZERO, 0));
  }

  @Override
  public synchronized void close() {
    proxies.values().forEach(TcpProxy::close);
    proxies.clear();
  }

  private void checkNode(int node) {
    if (node < 1 || node > nodes) {
      throw new IllegalArgumentException("node must be in [1, " + nodes + "], got " + node);
    }
  }
}
