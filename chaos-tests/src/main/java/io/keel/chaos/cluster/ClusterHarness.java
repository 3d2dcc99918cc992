package io.keel.chaos.cluster;

import io.keel.chaos.fs.DiskDamage;
import io.keel.chaos.fs.LazyFs;
import io.keel.chaos.fs.LazyMount;
import io.keel.chaos.net.NetnsNetwork;
import io.keel.chaos.net.Network;
import io.keel.chaos.net.NodeAddresses;
import io.keel.chaos.net.ProxyNetwork;
import io.keel.chaos.net.ResourceNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * N real broker processes on their own network, each with its data directory, config file and log.
 * With lazy disks, each data directory ({@code n<i>/data}) is a keel-lazyfs mount of {@code
 * n<i>/disk/root}. Everything it creates is undone on {@link #close()}, on JVM shutdown, or by the
 * next run's sweep if this JVM is SIGKILLed.
 */
public final class ClusterHarness implements ClusterControl, AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);

  private final String runId;
  private final ClusterSpec spec;
  private final Cleanup cleanup;
  private final Network network;
  private final Map<Integer, NodeProcess> nodes = new TreeMap<>();
  private final Map<Integer, Path> dataDirs = new TreeMap<>();
  private final Map<Integer, LazyMount> mounts = new TreeMap<>();
  // Guarded by this. Once true, no node starts again.
  private boolean closed;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

  private ClusterHarness(String runId, ClusterSpec spec, Cleanup cleanup, Network network) {
    this.runId = runId;
    this.spec = spec;
    this.cleanup = cleanup;
    this.network = network;
  }

  /** Sweeps leftovers, builds the network, starts every node and waits until all are ready. */
  public static ClusterHarness start(String runId, ClusterSpec spec) {
    ResourceNames.checkRunId(runId);
    Leftovers leftovers = Leftovers.inTempDir();
    leftovers.sweep();
    Cleanup cleanup = new Cleanup();
    try {
      leftovers.register(runId);
      cleanup.add(() -> leftovers.unregister(runId));
      Network network = createNetwork(runId, spec);
      cleanup.add(network::close);
      ClusterHarness cluster = new ClusterHarness(runId, spec, cleanup, network);
      // Cleanup runs in reverse: nodes die before their disks are unmounted.
      cleanup.add(cluster::unmountAll);
      cleanup.add(cluster::killAll);
      cluster.createNodes();
      cluster.nodeIds().forEach(cluster::start);
      for (int id : cluster.nodeIds()) {
        cluster.awaitReady(id, spec.readyTimeout());
      }
      return cluster;
    } catch (RuntimeException e) {
      cleanup.close();
      throw e;
    }
  }

  private static Network createNetwork(String runId, ClusterSpec spec) {
    return switch (spec.networkMode()) {
      case NETNS -> NetnsNetwork.create(runId, spec.nodes());
      case PROXY -> ProxyNetwork.create(spec.nodes());
      case AUTO ->
          NetnsNetwork.available(runId)
              ? NetnsNetwork.create(runId, spec.nodes())
              : ProxyNetwork.create(spec.nodes());
    };
  }

  private void createNodes() {
    LazyFs.Support fuse = spec.lazyDisks() ? LazyFs.probe() : null;
    if (fuse != null && !fuse.available()) {
      throw new IllegalStateException("lazy disks need FUSE, which is unusable: " + fuse.problem());
    }
    for (int id = 1; id <= spec.nodes(); id++) {
      Path dir = spec.workDir().resolve("n" + id);
      Path config = dir.resolve("broker.properties");
      NodeAddresses a = network.addresses(id);
      dataDirs.put(id, dir.resolve("data"));
      if (fuse != null) {
        mounts.put(id, mountDisk(fuse.binary(), id, dir));
      }
      BrokerConfigFile.write(config, BrokerConfigFile.render(id, a, dataDirs.get(id), spec));
      List<String> jvmArgs = new ArrayList<>(spec.jvmArgs());
      jvmArgs.add(ResourceNames.PROCESS_MARKER + runId);
      jvmArgs.add("-Dkeel.chaos.node=" + id);
      List<String> java =
          JavaCommand.of(spec.mainClass(), jvmArgs, List.of("--config", config.toString()));
      nodes.put(id, new NodeProcess(id, network.wrap(id, java), dir.resolve("broker.log")));
    }
  }

  private synchronized LazyMount mountDisk(Path binary, int id, Path dir) {
    String name = ResourceNames.PREFIX + runId + "-lazyfs-n" + id;
    // Unix socket paths are short (108 bytes); the run directory may be deep.
    Path socket = Path.of(System.getProperty("java.io.tmpdir"), name + ".sock");
    LazyMount m = LazyMount.mount(binary, dir.resolve("disk"), dir.resolve("data"), socket, name);
    applyWriteback(m);
    return m;
  }

  private void applyWriteback(LazyMount m) {
    if (!spec.writeback().isZero()) {
      m.writeback(spec.writeback());
    }
  }

  public String runId() {
    return runId;
  }

  public ClusterSpec spec() {
    return spec;
  }

  public NodeAddresses addresses(int node) {
    return network.addresses(node);
  }

  /** Comma-separated client addresses of every node. */
  public String bootstrapServers() {
    return nodeIds().stream()
        .map(id -> network.addresses(id).advertised())
        .collect(Collectors.joining(","));
  }

  /**
   * Node id -> the broker's data.dir, or with lazy disks the directory behind it (the same files,
   * readable after {@link #stopAll()} unmounted it).
   */
  public synchronized Map<Integer, Path> dataDirs() {
    Map<Integer, Path> out = new TreeMap<>(dataDirs);
    mounts.forEach((id, m) -> out.put(id, m.backingRoot()));
    return Map.copyOf(out);
  }

  /**
   * Stops every node for good (kill -9; with fsync=always nothing acknowledged is lost) and
   * unmounts lazy disks without dropping anything, so the stores can be read offline. No node
   * starts again afterwards.
   */
  public void stopAll() {
    killAll();
    unmountAll();
  }

  @Override
  public boolean hasLazyDisks() {
    return !mounts.isEmpty();
  }

  @Override
  public synchronized void powerLoss(List<Integer> targets, boolean torn, long seed) {
    targets.forEach(id -> lazyDisk(id));
    // The power goes out everywhere at once: no node may sync while another is being killed.
    targets.forEach(id -> node(id).signalKill());
    targets.forEach(this::kill);
    for (int id : targets) {
      LazyMount m = lazyDisk(id);
      if (torn) {
        m.torn(seed + id);
      } else {
        m.drop();
      }
      m.remount();
      applyWriteback(m);
    }
  }

  @Override
  public synchronized String damage(int id, DiskDamage damage, long seed) {
    kill(id);
    LazyMount m = mounts.get(id);
    if (m != null) {
      m.unmount(); // a plain crash: nothing dropped, nothing cached
    }
    try {
      return damage.apply(storeDir(id), new Random(seed));
    } finally {
      if (m != null) {
        m.remount();
        applyWriteback(m);
      }
    }
  }

  @Override
  public synchronized void wipe(int id) {
    kill(id);
    LazyMount m = mounts.get(id);
    if (m != null) {
      m.unmount();
      deleteTree(m.backingRoot());
      m.remount();
      applyWriteback(m);
    } else {
      deleteTree(dataDirs.get(id));
      try {
        Files.createDirectories(dataDirs.get(id));
      } catch (IOException e) {
        throw new UncheckedIOException("recreating " + dataDirs.get(id), e);
      }
    }
  }

  @Override
  public synchronized void diskFull(int id, boolean on) {
    // Below the threshold with headroom, as storage.min.free.bytes keeps it: the broker must refuse
    // produces with STORAGE_FULL before RocksDB ever meets ENOSPC (a hard ENOSPC quarantines the
    // replicas it hits; log-store's DiskFullTest covers that).
    lazyDisk(id).low(on);
  }

  @Override
  public synchronized void fsyncErrors(int id, boolean on) {
    lazyDisk(id).fsyncError(on);
  }

  private Path storeDir(int id) {
    LazyMount m = mounts.get(id);
    return (m != null ? m.backingRoot() : dataDirs.get(id)).resolve("store");
  }

  private LazyMount lazyDisk(int id) {
    node(id);
    LazyMount m = mounts.get(id);
    if (m == null) {
      throw new IllegalStateException("node " + id + " has no lazy disk (FUSE faults are off)");
    }
    return m;
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("wiping " + dir, e);
    }
  }

  private synchronized void unmountAll() {
    mounts.values().forEach(LazyMount::unmount);
  }

  public Path logFile(int node) {
    return node(node).logFile();
  }

  @Override
  public List<Integer> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  @Override
  public Network network() {
    return network;
  }

  @Override
  public synchronized void kill(int node) {
    try {
      node(node).kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing node " + node, e);
    }
  }

  @Override
  public synchronized void terminate(int node, Duration grace) {
    try {
      node(node).terminate(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted stopping node " + node, e);
    }
  }

  @Override
  public synchronized void start(int node) {
    if (closed) {
      // A nemesis heal racing with shutdown must not leave a process behind.
      throw new IllegalStateException("cluster " + runId + " is closed; not starting node " + node);
    }
    node(node).start();
  }

  @Override
  public synchronized void pause(int node) {
    node(node).pause();
  }

  @Override
  public synchronized void resume(int node) {
    node(node).resume();
  }

  @Override
  public synchronized boolean isRunning(int node) {
    return node(node).running();
  }

  @Override
  public synchronized boolean isPaused(int node) {
    return node(node).paused();
  }

  /** Polls GET /health/ready until it answers 200; fails fast if the process exits. */
  @Override
  public void awaitReady(int node, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isReady(node)) {
      if (!isRunning(node)) {
        throw new IllegalStateException(
            "node " + node + " exited while starting\n" + logTail(node));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "node " + node + " not ready within " + timeout + "\n" + logTail(node));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for node " + node, e);
      }
    }
  }

  public boolean isReady(int node) {
    URI uri = URI.create("http://" + network.addresses(node).http() + "/health/ready");
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).GET().build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The last lines of a node's log, for error messages. */
  public String logTail(int node) {
    try {
      List<String> lines = Files.readAllLines(logFile(node));
      return "--- "
          + logFile(node)
          + " (tail) ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log at " + logFile(node) + ")";
    }
  }

  private NodeProcess node(int id) {
    NodeProcess n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("node must be in " + nodes.keySet() + ", got " + id);
    }
    return n;
  }

  /** Signals every node before waiting for any, so an interrupt cannot leave one running. */
  private synchronized void killAll() {
    closed = true;
    nodes.values().forEach(NodeProcess::signalKill);
    for (NodeProcess n : nodes.values()) {
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    cleanup.close();
  }
}
