package io.keel.chaos.nemesis;

import io.keel.chaos.cluster.ClusterControl;
import io.keel.chaos.history.Event;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Op.FaultAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Injects one fault at a time on a seeded schedule: quiet, start a fault, hold it, heal it, again,
 * until the duration has passed or {@link #stop()}. Every start and heal is recorded in the history
 * as a nemesis operation. Finally {@link #healAll()} leaves every node running and the network
 * whole.
 */
public final class Nemesis implements Runnable {
  /** How long a rolling restart may wait for each node to come back. */
  static final Duration RESTART_READY_TIMEOUT = Duration.ofSeconds(60);

  static final Duration TERMINATE_GRACE = Duration.ofSeconds(10);

  private final ClusterControl cluster;
  private final HistoryRecorder history;
  private final Planner planner;
  private final List<FaultKind> kinds;
  private final NemesisTiming timing;
  private final Random random;
  private final Pacer pacer;
  private final Duration duration;
  private final AtomicInteger started = new AtomicInteger();
  private volatile String current = "none";

  /**
   * @param kinds faults to draw from; kinds the network cannot do (netem) are dropped, see {@link
   *     #skippedKinds}
   */
  public Nemesis(
      ClusterControl cluster,
      HistoryRecorder history,
      Planner planner,
      Set<FaultKind> kinds,
      NemesisTiming timing,
      Random random,
      Pacer pacer,
      Duration duration) {
    this.cluster = cluster;
    this.history = history;
    this.planner = planner;
    this.kinds = supported(kinds, cluster);
    if (this.kinds.isEmpty()) {
      throw new IllegalArgumentException("faults: none of " + kinds + " is possible here");
    }
    this.timing = timing;
    this.random = random;
    this.pacer = pacer;
    this.duration = duration;
  }

  private static List<FaultKind> supported(Set<FaultKind> kinds, ClusterControl cluster) {
    List<FaultKind> out = new ArrayList<>();
    for (FaultKind k : FaultKind.values()) {
      boolean possible =
          (k != FaultKind.NETEM || cluster.network().supportsDegradation())
              && (!k.needsLazyDisk() || cluster.hasLazyDisks());
      if (kinds.contains(k) && possible) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * Requested kinds this cluster cannot inject: netem without the kernel module, disk faults
   * without FUSE (reported, not silently ignored).
   */
  public static List<FaultKind> skippedKinds(Set<FaultKind> kinds, ClusterControl cluster) {
    List<FaultKind> ok = supported(kinds, cluster);
    return kinds.stream().filter(k -> !ok.contains(k)).sorted().toList();
  }

  public int faultsStarted() {
    return started.get();
  }

  /** The fault being held right now, or "none". */
  public String currentFault() {
    return current;
  }

  public void stop() {
    pacer.stop();
  }

  @Override
  public void run() {
    long end = pacer.nanos() + duration.toNanos();
    while (pacer.nanos() < end) {
      if (!pacer.sleep(min(timing.quiet(random), end))) {
        return;
      }
      if (pacer.nanos() >= end) {
        return;
      }
      PlannedFault fault = planner.plan(kinds.get(random.nextInt(kinds.size())));
      Duration hold = timing.hold(random);
      started.incrementAndGet();
      current = fault.kind().cliName() + ": " + fault.detail();
      boolean applied = record(fault, FaultAction.START, () -> apply(fault.plan()));
      if (applied) {
        pacer.sleep(hold);
      }
      record(fault, FaultAction.HEAL, () -> heal(fault.plan()));
      current = "none";
    }
  }

  private Duration min(Duration d, long endNanos) {
    long left = Math.max(0, endNanos - pacer.nanos());
    return d.toNanos() < left ? d : Duration.ofNanos(left);
  }

  /**
   * Records invoke, runs the action, then ok (its outcome, if any, appended to the detail) or (if
   * it threw) info with the error.
   */
  private boolean record(PlannedFault fault, FaultAction action, Supplier<String> body) {
    Op.Fault op = new Op.Fault(fault.kind().cliName(), action, fault.detail());
    history.invoke(Event.NEMESIS, op);
    try {
      String outcome = body.get();
      history.ok(
          Event.NEMESIS,
          outcome == null ? op : new Op.Fault(op.name(), action, op.detail() + "; " + outcome));
      return true;
    } catch (RuntimeException e) {
      history.info(Event.NEMESIS, op, e.toString());
      return false;
    }
  }

  /** Injects the fault; returns what it did beyond the plan's description, or null. */
  private String apply(Plan plan) {
    switch (plan) {
      case Plan.Kill k -> k.nodes().forEach(cluster::kill);
      case Plan.Outage o -> o.nodes().forEach(cluster::kill);
      case Plan.Pause p -> p.nodes().forEach(cluster::pause);
      case Plan.Partition p -> cluster.network().partition(p.blocked());
      case Plan.Degrade d -> cluster.network().degrade(d.degradation());
      case Plan.RollingRestart r -> {
        for (int node : r.order()) {
          cluster.terminate(node, TERMINATE_GRACE);
          cluster.start(node);
          cluster.awaitReady(node, RESTART_READY_TIMEOUT);
        }
      }
      case Plan.PowerLoss p -> cluster.powerLoss(p.nodes(), p.torn(), p.seed());
      case Plan.Damage d -> {
        return cluster.damage(d.node(), d.damage(), d.seed());
      }
      case Plan.Wipe w -> cluster.wipe(w.node());
      case Plan.DiskFull f -> cluster.diskFull(f.node(), true);
      case Plan.FsyncError f -> cluster.fsyncErrors(f.node(), true);
    }
    return null;
  }

  /** Heals the fault; returns what happened beyond the plan (a refused store), or null. */
  private String heal(Plan plan) {
    switch (plan) {
      case Plan.Kill k ->
          k.nodes().stream().filter(n -> !cluster.isRunning(n)).forEach(cluster::start);
      case Plan.Outage o -> {
        return restart(o.nodes());
      }
      case Plan.Pause p -> p.nodes().stream().filter(cluster::isPaused).forEach(cluster::resume);
      case Plan.Partition p -> cluster.network().heal();
      case Plan.Degrade d -> cluster.network().heal();
      case Plan.RollingRestart r -> {
        // Each node was already back before the next went down.
      }
      case Plan.PowerLoss p -> {
        return restart(p.nodes());
      }
      case Plan.Damage d -> {
        return startDamaged(d.node());
      }
      case Plan.Wipe w -> cluster.start(w.node());
      case Plan.DiskFull f -> {
        cluster.diskFull(f.node(), false);
        if (!cluster.isRunning(f.node())) {
          // Fail-stop on a full disk is safe but not what the issue asks (STORAGE_FULL, resume):
          // say so, and bring it back so the run goes on with every node.
          cluster.start(f.node());
          return "node " + f.node() + " had exited while its disk was full; restarted";
        }
        return "node " + f.node() + " kept running";
      }
      case Plan.FsyncError f -> {
        // A node that saw its fsync fail may have lost those writes: power-cycle it so that
        // nothing written since the first failed fsync survives, then bring it back.
        cluster.powerLoss(List.of(f.node()), false, 0);
        cluster.fsyncErrors(f.node(), false);
        cluster.start(f.node());
      }
    }
    return null;
  }

  /**
   * Starts nodes after a power cut and waits until they are ready, so that the next fault's quiet
   * time is traffic, not start-up (a whole cluster takes seconds to boot). A node that does not
   * become ready is reported in the outcome, not thrown: the run goes on.
   */
  private String restart(List<Integer> nodes) {
    nodes.stream().filter(n -> !cluster.isRunning(n)).forEach(cluster::start);
    List<String> late = new ArrayList<>();
    for (int node : nodes) {
      try {
        cluster.awaitReady(node, RESTART_READY_TIMEOUT);
      } catch (IllegalStateException e) {
        late.add("node " + node + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return late.isEmpty() ? "all ready" : "not ready: " + String.join("; ", late);
  }

  /**
   * Starts a node on its damaged store. It must either recover (checked by the history) or refuse
   * the store cleanly by exiting; a refused store is replaced by an empty one (the operator swaps
   * the disk) and the node starts again, to be repaired from the others.
   */
  private String startDamaged(int node) {
    cluster.start(node);
    try {
      cluster.awaitReady(node, RESTART_READY_TIMEOUT);
      return "node " + node + " recovered and is ready";
    } catch (IllegalStateException e) {
      if (cluster.isRunning(node)) {
        throw e; // neither ready nor refusing: that is a finding, reported as info
      }
      String why =
          e.getMessage()
              .lines()
              .filter(l -> l.contains("Exception"))
              .findFirst()
              .orElse(e.getMessage().lines().findFirst().orElse(""));
      cluster.wipe(node);
      cluster.start(node);
      return "node " + node + " refused its store (" + why.strip() + "); disk replaced, restarted";
    }
  }

  /** Heals the network, resumes paused nodes and starts stopped ones; recorded as "heal-all". */
  public void healAll() {
    Op.Fault op = new Op.Fault("heal-all", FaultAction.HEAL, "network healed, every node running");
    history.invoke(Event.NEMESIS, op);
    try {
      cluster.network().heal();
      for (int node : cluster.nodeIds()) {
        if (cluster.isPaused(node)) {
          cluster.resume(node);
        }
        if (!cluster.isRunning(node)) {
          cluster.start(node);
        }
      }
      history.ok(Event.NEMESIS, op);
    } catch (RuntimeException e) {
      history.info(Event.NEMESIS, op, e.toString());
      throw e;
    }
  }
}
