package io.keel.chaos.nemesis;

import io.keel.chaos.fs.DiskDamage;
import io.keel.chaos.net.Degradation;
import io.keel.chaos.net.Link;
import java.util.List;
import java.util.Set;

/** A concrete fault: which nodes or links, decided when it starts. */
public sealed interface Plan {
  /** kill -9 these nodes; healing restarts them. */
  record Kill(List<Integer> nodes) implements Plan {}

  /**
   * kill -9 these nodes together (two of five: a majority of some partitions); healing restarts
   * them and waits until they are ready, so the heal's end is when the nodes are back.
   */
  record Outage(List<Integer> nodes) implements Plan {
    public Outage {
      nodes = List.copyOf(nodes);
    }
  }

  /** SIGSTOP these nodes; healing sends SIGCONT. */
  record Pause(List<Integer> nodes) implements Plan {}

  /** Drop traffic on these directed links; healing removes every partition. */
  record Partition(Set<Link> blocked) implements Plan {
    public Partition {
      blocked = Set.copyOf(blocked);
    }
  }

  /** Delay and lose packets on every link; healing restores the network. */
  record Degrade(Degradation degradation) implements Plan {}

  /** Gracefully restart every node in turn, each back to ready before the next; no heal. */
  record RollingRestart(List<Integer> order) implements Plan {}

  /** Cut the power of these nodes (unsynced writes lost, torn or not); healing starts them. */
  record PowerLoss(List<Integer> nodes, boolean torn, long seed) implements Plan {
    public PowerLoss {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * Stop the node and damage one file of its store; healing starts it. If it refuses its store
   * (exits before it is ready), the disk is replaced (wiped) and it starts again.
   */
  record Damage(int node, DiskDamage damage, long seed) implements Plan {}

  /** Stop the node and wipe its data directory (a new disk, same id); healing starts it. */
  record Wipe(int node) implements Plan {}

  /** The node's disk is full; healing frees it. */
  record DiskFull(int node) implements Plan {}

  /** The node's fsyncs fail with EIO; healing cuts its power (nothing unsynced survives). */
  record FsyncError(int node) implements Plan {}
}
