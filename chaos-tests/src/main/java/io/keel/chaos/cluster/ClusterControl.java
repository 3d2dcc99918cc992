package io.keel.chaos.cluster;

import io.keel.chaos.fs.DiskDamage;
import io.keel.chaos.net.Network;
import java.time.Duration;
import java.util.List;

/** What the nemesis may do to a cluster. Node ids are 1..n. */
public interface ClusterControl {
  List<Integer> nodeIds();

  /** kill -9; returns once the process is gone. */
  void kill(int node);

  /** Graceful stop: SIGTERM, then kill -9 after the grace period. */
  void terminate(int node, Duration grace);

  /** Starts a stopped node again on its existing data directory. */
  void start(int node);

  /** SIGSTOP. */
  void pause(int node);

  /** SIGCONT. */
  void resume(int node);

  boolean isRunning(int node);

  boolean isPaused(int node);

  /** Waits until the node reports ready; throws if it does not within the timeout. */
  void awaitReady(int node, Duration timeout);

  Network network();

  /** Whether data directories are keel-lazyfs mounts (power loss, full disk, fsync errors). */
  boolean hasLazyDisks();

  /**
   * Power cut: kill -9 these nodes together, then drop everything they did not fsync (with {@code
   * torn}, a random prefix of each file's unsynced writes survives, the last one cut). The nodes
   * stay stopped. Needs lazy disks.
   */
  void powerLoss(List<Integer> nodes, boolean torn, long seed);

  /** kill -9 the node, then damage one random file of its store; it stays stopped. */
  String damage(int node, DiskDamage damage, long seed);

  /** kill -9 the node and delete its whole data directory (a new disk, same id); stays stopped. */
  void wipe(int node);

  /**
   * While on, the node's disk reports no free space (below storage.min.free.bytes), with headroom.
   */
  void diskFull(int node, boolean on);

  /** While on, the node's fsyncs fail with EIO and make nothing durable. */
  void fsyncErrors(int node, boolean on);
}
