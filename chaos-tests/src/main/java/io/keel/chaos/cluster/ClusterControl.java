package io.keel.chaos.cluster;

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
}
