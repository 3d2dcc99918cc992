package io.keel.chaos.workload;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.nemesis.ClusterView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several workloads at once (process ids must not overlap). Leader faults target the first one's
 * topic; replica logs are merged (partitions of different topics must not overlap either, so only
 * the first workload's replicas are compared).
 */
public final class CompositeWorkload implements Workload {
  private final List<Workload> parts;

  public CompositeWorkload(List<Workload> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("parts must not be empty");
    }
    this.parts = List.copyOf(parts);
  }

  @Override
  public String name() {
    return String.join("+", parts.stream().map(Workload::name).toList());
  }

  @Override
  public void setUp(WorkloadContext context) throws Exception {
    for (Workload w : parts) {
      w.setUp(context);
    }
  }

  @Override
  public void start() {
    parts.forEach(Workload::start);
  }

  @Override
  public void stop(Duration timeout) throws InterruptedException {
    for (Workload w : parts) {
      w.stop(timeout);
    }
  }

  @Override
  public void finalRead(Duration timeout) throws Exception {
    for (Workload w : parts) {
      w.finalRead(timeout);
    }
  }

  @Override
  public ClusterView clusterView() {
    return parts.get(0).clusterView();
  }

  @Override
  public ReplicaLogs replicaLogs(Map<Integer, Path> dataDirs) throws Exception {
    return parts.get(0).replicaLogs(dataDirs);
  }

  /** The union; two parts asking different values of one key is a programming error. */
  @Override
  public Map<String, String> brokerSettings() {
    Map<String, String> all = new HashMap<>();
    for (Workload w : parts) {
      w.brokerSettings()
          .forEach(
              (k, v) -> {
                String prior = all.putIfAbsent(k, v);
                if (prior != null && !prior.equals(v)) {
                  throw new IllegalStateException(
                      "workloads disagree on broker setting " + k + ": " + prior + " vs " + v);
                }
              });
    }
    return all;
  }

  @Override
  public List<String> notes() {
    Map<String, Boolean> seen = new HashMap<>();
    return parts.stream()
        .flatMap(w -> w.notes().stream())
        .filter(n -> seen.putIfAbsent(n, true) == null)
        .toList();
  }

  @Override
  public void close() {
    parts.forEach(Workload::close);
  }
}
