package io.keel.chaos.nemesis;

import io.keel.chaos.fs.DiskDamage;
import io.keel.chaos.net.Degradation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Turns a fault kind into a concrete plan. Random choices come from the seeded random, so a seed
 * replays the same targets as long as leader lookups answer the same.
 */
public final class Planner {
  private record Target(int node, String why) {
    List<Integer> nodes() {
      return List.of(node);
    }

    String describe() {
      return "node " + node + " (" + why + ")";
    }
  }

  private final Random random;
  private final ClusterView view;
  private final List<Integer> nodes;
  private final Degradation degradation;

  public Planner(Random random, ClusterView view, List<Integer> nodes, Degradation degradation) {
    this.random = random;
    this.view = view;
    this.nodes = List.copyOf(nodes);
    this.degradation = degradation;
  }

  public PlannedFault plan(FaultKind kind) {
    return switch (kind) {
      case KILL_NODE -> kill(kind, randomTarget());
      case KILL_LEADER -> kill(kind, leaderTarget());
      case KILL_CONTROLLER -> kill(kind, controllerTarget());
      case KILL_TWO -> {
        List<Integer> two = sorted(shuffled().subList(0, Math.min(2, nodes.size())));
        yield new PlannedFault(kind, new Plan.Outage(two), "nodes " + two);
      }
      case PAUSE_NODE -> pause(kind, randomTarget());
      case PAUSE_LEADER -> pause(kind, leaderTarget());
      case PAUSE_CONTROLLER -> pause(kind, controllerTarget());
      case ISOLATE_NODE -> isolate(kind, randomTarget());
      case ISOLATE_LEADER -> isolate(kind, leaderTarget());
      case HALVES -> halves(kind);
      case BRIDGE -> bridge(kind);
      case ONE_WAY -> oneWay(kind);
      case NETEM ->
          new PlannedFault(
              kind,
              new Plan.Degrade(degradation),
              "delay %dms loss %.1f%% on every link"
                  .formatted(degradation.delay().toMillis(), degradation.lossPercent()));
      case ROLLING_RESTART -> {
        List<Integer> order = shuffled();
        yield new PlannedFault(kind, new Plan.RollingRestart(order), "order " + order);
      }
      case POWER_LOSS_NODE -> powerLoss(kind, randomTarget().nodes());
      case POWER_LOSS_MINORITY -> powerLoss(kind, shuffled().subList(0, (nodes.size() - 1) / 2));
      case POWER_LOSS_ALL -> powerLoss(kind, nodes);
      case BITFLIP -> damage(kind, DiskDamage.BITFLIP);
      case TRUNCATE_FILE -> damage(kind, DiskDamage.TRUNCATE);
      case DELETE_FILE -> damage(kind, DiskDamage.DELETE);
      case WIPE_NODE -> {
        Target t = randomTarget();
        yield new PlannedFault(kind, new Plan.Wipe(t.node()), t.describe() + ": data dir wiped");
      }
      case DISK_FULL -> {
        Target t = leaderTarget(); // a leader, so that its producers see STORAGE_FULL
        yield new PlannedFault(kind, new Plan.DiskFull(t.node()), t.describe() + ": disk full");
      }
      case FSYNC_ERROR -> {
        Target t = randomTarget();
        yield new PlannedFault(
            kind, new Plan.FsyncError(t.node()), t.describe() + ": fsync fails with EIO");
      }
    };
  }

  /** A minority of one node is still a power loss of one node (3-node clusters). */
  private PlannedFault powerLoss(FaultKind kind, List<Integer> targets) {
    List<Integer> sorted = targets.isEmpty() ? randomTarget().nodes() : sorted(targets);
    boolean torn = random.nextBoolean();
    long seed = random.nextLong();
    return new PlannedFault(
        kind,
        new Plan.PowerLoss(sorted, torn, seed),
        "nodes " + sorted + (torn ? ", last unsynced writes torn" : ", unsynced writes dropped"));
  }

  private PlannedFault damage(FaultKind kind, DiskDamage damage) {
    Target t = randomTarget();
    return new PlannedFault(
        kind,
        new Plan.Damage(t.node(), damage, random.nextLong()),
        t.describe() + ": " + damage.name().toLowerCase(Locale.ROOT) + " of a store file");
  }

  private static List<Integer> sorted(List<Integer> l) {
    return l.stream().sorted().toList();
  }

  private static PlannedFault kill(FaultKind kind, Target t) {
    return new PlannedFault(kind, new Plan.Kill(t.nodes()), t.describe());
  }

  private static PlannedFault pause(FaultKind kind, Target t) {
    return new PlannedFault(kind, new Plan.Pause(t.nodes()), t.describe());
  }

  private PlannedFault isolate(FaultKind kind, Target t) {
    return new PlannedFault(
        kind,
        new Plan.Partition(Topology.isolate(t.node(), nodes)),
        t.describe() + " cut off from " + others(t.node()));
  }

  private PlannedFault halves(FaultKind kind) {
    List<Integer> order = shuffled();
    int minority = order.size() / 2;
    return new PlannedFault(
        kind,
        new Plan.Partition(Topology.halves(order)),
        "minority "
            + order.subList(0, minority)
            + " | majority "
            + order.subList(minority, order.size()));
  }

  private PlannedFault bridge(FaultKind kind) {
    List<Integer> order = shuffled();
    int mid = order.size() / 2;
    return new PlannedFault(
        kind,
        new Plan.Partition(Topology.bridge(order)),
        order.subList(0, mid)
            + " <-> bridge "
            + order.get(mid)
            + " <-> "
            + order.subList(mid + 1, order.size()));
  }

  private PlannedFault oneWay(FaultKind kind) {
    int node = randomTarget().node();
    boolean mute = random.nextBoolean();
    return new PlannedFault(
        kind,
        new Plan.Partition(mute ? Topology.mute(node, nodes) : Topology.deafen(node, nodes)),
        "node " + node + (mute ? " cannot send to " : " cannot receive from ") + others(node));
  }

  /** Leader of a random partition; a random node when unknown. */
  private Target leaderTarget() {
    int partitions = view.partitionCount();
    if (partitions == 0) {
      return new Target(randomTarget().node(), "no partitions known; random");
    }
    int p = random.nextInt(partitions);
    Target fallback = randomTarget();
    OptionalInt leader = view.partitionLeader(p);
    return leader.isPresent()
        ? new Target(leader.getAsInt(), "leader of p" + p)
        : new Target(fallback.node(), "leader of p" + p + " unknown; random");
  }

  private Target controllerTarget() {
    Target fallback = randomTarget();
    OptionalInt leader = view.controllerLeader();
    return leader.isPresent()
        ? new Target(leader.getAsInt(), "controller leader")
        : new Target(fallback.node(), "controller leader unknown; random");
  }

  private Target randomTarget() {
    return new Target(nodes.get(random.nextInt(nodes.size())), "random");
  }

  private List<Integer> others(int node) {
    return nodes.stream().filter(n -> n != node).toList();
  }

  private List<Integer> shuffled() {
    List<Integer> order = new ArrayList<>(nodes);
    Collections.shuffle(order, random);
    return order;
  }
}
