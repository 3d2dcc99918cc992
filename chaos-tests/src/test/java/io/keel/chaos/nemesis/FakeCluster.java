package io.keel.chaos.nemesis;

import io.keel.chaos.cluster.ClusterControl;
import io.keel.chaos.fs.DiskDamage;
import io.keel.chaos.net.Degradation;
import io.keel.chaos.net.Link;
import io.keel.chaos.net.Network;
import io.keel.chaos.net.NodeAddresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/** A cluster that only remembers what was done to it, and checks each action makes sense. */
final class FakeCluster implements ClusterControl, Network {
  final List<String> log = new ArrayList<>();
  final Set<Integer> down = new HashSet<>();
  final Set<Integer> paused = new HashSet<>();
  Set<Link> blocked = Set.of();
  Degradation degradation;
  boolean lazyDisks = true;

  /** When set, a node whose store was damaged exits on its next start (it refuses the store). */
  boolean refuseDamagedStores;

  private final Set<Integer> refusing = new HashSet<>();
  private final int nodes;
  private final boolean netem;

  FakeCluster(int nodes, boolean netem) {
    this.nodes = nodes;
    this.netem = netem;
  }

  @Override
  public List<Integer> nodeIds() {
    return IntStream.rangeClosed(1, nodes).boxed().toList();
  }

  @Override
  public void kill(int node) {
    if (!down.add(node)) {
      throw new IllegalStateException("node " + node + " already down");
    }
    paused.remove(node);
    log.add("kill " + node);
  }

  @Override
  public void terminate(int node, Duration grace) {
    kill(node);
  }

  @Override
  public void start(int node) {
    if (!down.contains(node)) {
      throw new IllegalStateException("node " + node + " already running");
    }
    if (refusing.contains(node)) {
      log.add("start " + node + " (exits: refuses its store)");
      return;
    }
    down.remove(node);
    log.add("start " + node);
  }

  @Override
  public void pause(int node) {
    if (!paused.add(node)) {
      throw new IllegalStateException("node " + node + " already paused");
    }
    log.add("pause " + node);
  }

  @Override
  public void resume(int node) {
    paused.remove(node);
    log.add("resume " + node);
  }

  @Override
  public boolean isRunning(int node) {
    return !down.contains(node);
  }

  @Override
  public boolean isPaused(int node) {
    return paused.contains(node);
  }

  @Override
  public void awaitReady(int node, Duration timeout) {
    if (down.contains(node)) {
      throw new IllegalStateException("node " + node + " is down");
    }
  }

  @Override
  public Network network() {
    return this;
  }

  @Override
  public boolean hasLazyDisks() {
    return lazyDisks;
  }

  @Override
  public void powerLoss(List<Integer> nodes, boolean torn, long seed) {
    for (int node : nodes) {
      if (down.contains(node)) {
        throw new IllegalStateException("node " + node + " already down");
      }
    }
    down.addAll(nodes);
    log.add("power-loss " + nodes + (torn ? " torn" : ""));
  }

  @Override
  public String damage(int node, DiskDamage damage, long seed) {
    kill(node);
    if (refuseDamagedStores) {
      refusing.add(node);
    }
    log.add("damage " + node + " " + damage);
    return damage + " of node " + node;
  }

  @Override
  public void wipe(int node) {
    if (!down.contains(node)) {
      kill(node);
    }
    refusing.remove(node);
    log.add("wipe " + node);
  }

  @Override
  public void diskFull(int node, boolean on) {
    log.add("disk-full " + node + " " + on);
  }

  @Override
  public void fsyncErrors(int node, boolean on) {
    log.add("fsync-errors " + node + " " + on);
  }

  @Override
  public String kind() {
    return "fake";
  }

  @Override
  public NodeAddresses addresses(int node) {
    return new NodeAddresses("n" + node, "n" + node, "h" + node, Map.of());
  }

  @Override
  public List<String> wrap(int node, List<String> command) {
    return command;
  }

  @Override
  public void partition(Set<Link> links) {
    blocked = Set.copyOf(links);
    log.add("partition " + links.size());
  }

  @Override
  public boolean supportsDegradation() {
    return netem;
  }

  @Override
  public void degrade(Degradation d) {
    degradation = d;
    log.add("degrade");
  }

  @Override
  public void heal() {
    blocked = Set.of();
    degradation = null;
    log.add("heal");
  }

  @Override
  public void close() {}

  boolean healthy() {
    return down.isEmpty() && paused.isEmpty() && blocked.isEmpty() && degradation == null;
  }
}
