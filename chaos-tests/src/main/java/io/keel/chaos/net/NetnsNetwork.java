package io.keel.chaos.net;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Each node in its own Linux network namespace ({@code keel-<run>-n<i>}), wired by a veth pair to a
 * bridge in the root namespace, with address 10.a.b.i/24 that exists only inside the namespace. The
 * bridge holds 10.a.b.254 so clients in the harness JVM reach every node.
 *
 * <p>Partitions are blackhole routes: {@code ip -n <ns of from> route add blackhole <to>/32} drops
 * everything {@code from} sends to {@code to}, silently, like a cut cable; established TCP
 * connections stall and recover after the route is removed. This needs only iproute2 (no iptables
 * or nft). Degradation uses {@code tc netem} on each node's interface when the kernel has it.
 */
public final class NetnsNetwork implements Network {
  static final int BROKER_PORT = 9092;
  static final int HTTP_PORT = 9644;
  private static final int BRIDGE_HOST = 254;

  private final String runId;
  private final int nodes;
  private final String subnet;
  private final List<Runnable> undo = new ArrayList<>();
  private final Set<Link> blocked = new HashSet<>();
  private boolean netem;
  private boolean degraded;

  private NetnsNetwork(String runId, int nodes, String subnet) {
    this.runId = runId;
    this.nodes = nodes;
    this.subnet = subnet;
  }

  /**
   * Creates the namespaces, links and bridge. On failure, removes whatever was created and
   * rethrows.
   */
  public static NetnsNetwork create(String runId, int nodes) {
    if (nodes < 1 || nodes > 200) {
      throw new IllegalArgumentException("nodes must be in [1, 200], got " + nodes);
    }
    NetnsNetwork net = new NetnsNetwork(runId, nodes, freeSubnet(runId));
    try {
      net.setUp();
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** True when we are root and may create namespaces here: tried, not assumed. */
  public static boolean available(String runId) {
    String probe = ResourceNames.namespace(runId, 0);
    if (!Commands.run(List.of("ip", "netns", "add", probe)).ok()) {
      return false;
    }
    return Commands.run(List.of("ip", "netns", "del", probe)).ok();
  }

  public String namespace(int node) {
    return ResourceNames.namespace(runId, node);
  }

  public String ip(int node) {
    return subnet + node;
  }

  private void setUp() {
    String bridge = ResourceNames.bridge(runId);
    Commands.check("ip", "link", "add", bridge, "type", "bridge");
    undo.add(() -> Commands.run(List.of("ip", "link", "del", bridge)));
    Commands.check("ip", "addr", "add", subnet + BRIDGE_HOST + "/24", "dev", bridge);
    Commands.check("ip", "link", "set", bridge, "up");
    for (int i = 1; i <= nodes; i++) {
      addNode(i, bridge);
    }
    netem = probeNetem();
  }

  private void addNode(int node, String bridge) {
    String ns = namespace(node);
    String veth = ResourceNames.veth(runId, node);
    Commands.check("ip", "netns", "add", ns);
    // Deleting the namespace also deletes the veth end inside it, and with it the pair.
    undo.add(() -> Commands.run(List.of("ip", "netns", "del", ns)));
    Commands.check("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    undo.add(() -> Commands.run(List.of("ip", "link", "del", veth)));
    Commands.check("ip", "link", "set", veth, "master", bridge);
    Commands.check("ip", "link", "set", veth, "up");
    Commands.check("ip", "-n", ns, "addr", "add", ip(node) + "/24", "dev", "eth0");
    Commands.check("ip", "-n", ns, "link", "set", "eth0", "up");
    Commands.check("ip", "-n", ns, "link", "set", "lo", "up");
  }

  private boolean probeNetem() {
    List<String> add =
        List.of(
            "ip",
            "netns",
            "exec",
            namespace(1),
            "tc",
            "qdisc",
            "add",
            "dev",
            "eth0",
            "root",
            "netem",
            "delay",
            "1ms");
    if (!Commands.run(add).ok()) {
      return false;
    }
    Commands.check(
        "ip", "netns", "exec", namespace(1), "tc", "qdisc", "del", "dev", "eth0", "root");
    return true;
  }

  @Override
  public String kind() {
    return "netns";
  }

  @Override
  public NodeAddresses addresses(int node) {
    checkNode(node);
    Map<Integer, String> peers = new HashMap<>();
    IntStream.rangeClosed(1, nodes)
        .filter(j -> j != node)
        .forEach(j -> peers.put(j, ip(j) + ":" + BROKER_PORT));
    String broker = ip(node) + ":" + BROKER_PORT;
    return new NodeAddresses(broker, broker, ip(node) + ":" + HTTP_PORT, peers);
  }

  @Override
  public List<String> wrap(int node, List<String> command) {
    checkNode(node);
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
    out.addAll(command);
    return out;
  }

  @Override
  public synchronized void partition(Set<Link> links) {
    links.forEach(l -> checkNode(l.from()));
    links.forEach(l -> checkNode(l.to()));
    for (Link l : Set.copyOf(blocked)) {
      if (!links.contains(l)) {
        Commands.check(route("del", l));
        blocked.remove(l);
      }
    }
    for (Link l : links) {
      if (blocked.add(l)) {
        Commands.check(route("add", l));
      }
    }
  }

  private List<String> route(String verb, Link l) {
    return List.of("ip", "-n", namespace(l.from()), "route", verb, "blackhole", ip(l.to()) + "/32");
  }

  @Override
  public boolean supportsDegradation() {
    return netem;
  }

  @Override
  public synchronized void degrade(Degradation d) {
    if (!netem) {
      throw new UnsupportedOperationException("tc netem is not available in this kernel");
    }
    for (int i = 1; i <= nodes; i++) {
      Commands.check(
          "ip",
          "netns",
          "exec",
          namespace(i),
          "tc",
          "qdisc",
          "replace",
          "dev",
          "eth0",
          "root",
          "netem",
          "delay",
          d.delay().toMillis() + "ms",
          "loss",
          d.lossPercent() + "%");
    }
    degraded = true;
  }

  @Override
  public synchronized void heal() {
    partition(Set.of());
    if (degraded) {
      for (int i = 1; i <= nodes; i++) {
        Commands.check(
            "ip", "netns", "exec", namespace(i), "tc", "qdisc", "del", "dev", "eth0", "root");
      }
      degraded = false;
    }
  }

  @Override
  public synchronized void close() {
    for (int i = undo.size() - 1; i >= 0; i--) {
      undo.get(i).run();
    }
    undo.clear();
    blocked.clear();
  }

  private void checkNode(int node) {
    if (node < 1 || node > nodes) {
      throw new IllegalArgumentException("node must be in [1, " + nodes + "], got " + node);
    }
  }

  /** A 10.a.b.0/24 that no interface or route in the root namespace uses yet. */
  private static String freeSubnet(String runId) {
    String used =
        Commands.run(List.of("ip", "-4", "addr")).output()
            + Commands.run(List.of("ip", "-4", "route")).output();
    Random random = new Random(runId.hashCode());
    for (int attempt = 0; attempt < 1000; attempt++) {
      String candidate = "10." + (100 + random.nextInt(150)) + "." + random.nextInt(256) + ".";
      if (!used.contains(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free 10.x.y.0/24 subnet found");
  }
}
