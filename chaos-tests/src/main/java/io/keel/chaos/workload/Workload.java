package io.keel.chaos.workload;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.nemesis.ClusterView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A correctness workload (FoundationDB style: set up, run alongside the nemesis, then check).
 * Lifecycle, driven by the runner: {@code setUp}, {@code start}, (faults for the run's duration,
 * then every fault healed), {@code stop}, {@code finalRead}, {@code close} (clients leave while the
 * cluster answers), then, with the cluster stopped, {@code replicaLogs}.
 *
 * <p>Recording rules: each logical client is a process id (>= 0) with at most one operation in
 * flight; an operation is OK only if it certainly happened, FAIL only if it certainly did not, and
 * INFO otherwise (timeouts, lost connections).
 */
public interface Workload extends AutoCloseable {
  String name();

  /** Creates topics/groups; runs before any fault. */
  void setUp(WorkloadContext context) throws Exception;

  /** Starts the clients; returns immediately. */
  void start();

  /** Stops issuing operations and waits up to {@code timeout} for those in flight to finish. */
  void stop(Duration timeout) throws InterruptedException;

  /** On the healed cluster, reads everything back and records it (FINAL_READ ops). */
  void finalRead(Duration timeout) throws Exception;

  /** Leader lookups for leader-targeted faults. */
  ClusterView clusterView();

  /**
   * Each replica's committed log, read from the nodes' data directories (node id -> broker
   * data.dir) after the cluster has stopped, or {@link ReplicaLogs#none()} if not applicable.
   */
  ReplicaLogs replicaLogs(Map<Integer, Path> dataDirs) throws Exception;

  /** Broker settings the workload needs on every node (e.g. a short share lock). */
  default Map<String, String> brokerSettings() {
    return Map.of();
  }

  /** Remarks for the report, e.g. a feature the cluster lacked and how the workload coped. */
  default List<String> notes() {
    return List.of();
  }

  /** Stops the clients; may be called more than once. */
  @Override
  void close();
}
