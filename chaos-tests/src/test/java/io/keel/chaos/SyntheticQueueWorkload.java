package io.keel.chaos;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Rec;
import io.keel.chaos.nemesis.ClusterView;
import io.keel.chaos.workload.Workload;
import io.keel.chaos.workload.WorkloadContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.locks.LockSupport;

/**
 * A queue workload over an in-memory log (no real client yet), to exercise the runner end to end.
 * With {@code loseAckedWrite}, one acknowledged value silently disappears from the log.
 */
final class SyntheticQueueWorkload implements Workload {
  private static final int PARTITIONS = 2;
  private final boolean loseAckedWrite;
  private final List<List<Long>> log = List.of(new ArrayList<>(), new ArrayList<>());
  private HistoryRecorder history;
  private volatile boolean running;
  private Thread producer;
  private Thread consumer;

  SyntheticQueueWorkload(boolean loseAckedWrite) {
    this.loseAckedWrite = loseAckedWrite;
  }

  @Override
  public String name() {
    return "synthetic-queue";
  }

  @Override
  public void setUp(WorkloadContext context) {
    history = context.history();
  }

  @Override
  public void start() {
    running = true;
    producer = Thread.ofPlatform().start(this::produce);
    consumer = Thread.ofPlatform().start(this::consume);
  }

  private void produce() {
    for (long value = 0; running; value++) {
      int p = (int) (value % PARTITIONS);
      history.invoke(0, new Op.Send(p, value, null));
      long offset;
      synchronized (log) {
        log.get(p).add(value);
        offset = log.get(p).size() - 1;
      }
      history.ok(0, new Op.Send(p, value, offset));
      if (loseAckedWrite && value == 10) {
        synchronized (log) {
          log.get(p).set((int) offset, -1L);
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
  }

  private void consume() {
    history.invoke(1, new Op.Assign(List.of(0, 1)));
    history.ok(1, new Op.Assign(List.of(0, 1)));
    int[] next = new int[PARTITIONS];
    while (running) {
      history.invoke(1, new Op.Poll(List.of()));
      List<Rec> recs = new ArrayList<>();
      synchronized (log) {
        for (int p = 0; p < PARTITIONS; p++) {
          for (; next[p] < log.get(p).size(); next[p]++) {
            recs.add(new Rec(p, next[p], log.get(p).get(next[p])));
          }
        }
      }
      recs.removeIf(r -> r.value() < 0);
      history.ok(1, new Op.Poll(recs));
      Op.Commit commit = new Op.Commit("g", Map.of(0, (long) next[0], 1, (long) next[1]));
      history.invoke(1, commit);
      history.ok(1, commit);
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  @Override
  public void stop(Duration timeout) throws InterruptedException {
    running = false;
    producer.join(timeout.toMillis());
    consumer.join(timeout.toMillis());
  }

  @Override
  public void finalRead(Duration timeout) {
    history.invoke(2, new Op.FinalRead(List.of()));
    List<Rec> all = new ArrayList<>();
    synchronized (log) {
      for (int p = 0; p < PARTITIONS; p++) {
        for (int o = 0; o < log.get(p).size(); o++) {
          if (log.get(p).get(o) >= 0) {
            all.add(new Rec(p, o, log.get(p).get(o)));
          }
        }
      }
    }
    history.ok(2, new Op.FinalRead(all));
  }

  @Override
  public ClusterView clusterView() {
    return new ClusterView() {
      @Override
      public int partitionCount() {
        return PARTITIONS;
      }

      @Override
      public OptionalInt partitionLeader(int partition) {
        return OptionalInt.of(1 + partition);
      }

      @Override
      public OptionalInt controllerLeader() {
        return OptionalInt.empty();
      }
    };
  }

  @Override
  public ReplicaLogs replicaLogs(Map<Integer, Path> dataDirs) {
    return ReplicaLogs.none();
  }

  @Override
  public void close() {
    running = false;
  }
}
