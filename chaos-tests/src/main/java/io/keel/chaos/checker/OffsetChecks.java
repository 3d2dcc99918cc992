package io.keel.chaos.checker;

import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Checks of committed group offsets, per (group, partition) register. Only real-time order counts:
 * operation A precedes B when A completed before B was invoked; concurrent operations may land in
 * either order.
 */
final class OffsetChecks {
  private record Key(String group, int partition) {}

  private record Write(Operation op, long offset) {}

  private record Read(Operation op, Long offset) {}

  private final Anomalies out;
  private final Map<Key, List<Write>> writes = new HashMap<>();
  private final Map<Key, List<Read>> reads = new HashMap<>();

  OffsetChecks(List<Operation> ops, Anomalies out) {
    this.out = out;
    for (Operation o : ops) {
      // Failed commits definitely did not happen; indeterminate ones may have.
      if (o.op() instanceof Op.Commit c && o.outcome() != Phase.FAIL) {
        c.offsets()
            .forEach(
                (p, off) ->
                    writes
                        .computeIfAbsent(new Key(c.group(), p), k -> new ArrayList<>())
                        .add(new Write(o, off)));
      }
    }
    for (Operation o : ops) {
      if (o.op() instanceof Op.ReadOffsets r && o.isOk()) {
        collectRead(o, r);
      }
    }
  }

  /** A partition that has commits but is absent from the answer reads as "nothing committed". */
  private void collectRead(Operation o, Op.ReadOffsets r) {
    Set<Integer> partitions = new TreeSet<>(r.offsets().keySet());
    for (Key k : writes.keySet()) {
      if (k.group().equals(r.group())) {
        partitions.add(k.partition());
      }
    }
    for (int p : partitions) {
      reads
          .computeIfAbsent(new Key(r.group(), p), k -> new ArrayList<>())
          .add(new Read(o, r.offsets().get(p)));
    }
  }

  void run() {
    writes.forEach(this::checkRegressions);
    reads.forEach((key, rs) -> checkStaleReads(key, rs, writes.getOrDefault(key, List.of())));
  }

  /** An ok commit invoked after another ok commit completed must not commit a lower offset. */
  private void checkRegressions(Key key, List<Write> all) {
    List<Write> ok = all.stream().filter(w -> w.op().isOk()).toList();
    Prefix prefix = new Prefix(ok, Write::offset);
    for (Write w : ok) {
      Write before = prefix.maxCompletedBefore(w.op().invokeNanos());
      if (before != null && w.offset() < before.offset()) {
        out.add(
            AnomalyType.COMMIT_REGRESSION,
            "%s/p%d: %s after %s"
                .formatted(
                    key.group(),
                    key.partition(),
                    QueueChecks.describe(w.op()),
                    QueueChecks.describe(before.op())));
      }
    }
  }

  /**
   * A read of value v is stale when every commit of v completed before some ok commit W' was even
   * invoked, and W' completed before the read began: W' then certainly overwrote v.
   */
  private void checkStaleReads(Key key, List<Read> rs, List<Write> all) {
    Map<Long, Long> lastCompleteOfValue = new HashMap<>();
    for (Write w : all) {
      lastCompleteOfValue.merge(w.offset(), w.op().completeNanos(), Math::max);
    }
    List<Write> ok = all.stream().filter(w -> w.op().isOk()).toList();
    Prefix byInvoke = new Prefix(ok, w -> w.op().invokeNanos());
    for (Read r : rs) {
      Write overwriter = byInvoke.maxCompletedBefore(r.op().invokeNanos());
      String where = "%s/p%d: %s".formatted(key.group(), key.partition(), describe(r));
      if (r.offset() != null && !lastCompleteOfValue.containsKey(r.offset())) {
        out.add(AnomalyType.STALE_OFFSET_READ, where + " but that offset was never committed");
      } else if (overwriter != null) {
        long valueDone = r.offset() == null ? Long.MIN_VALUE : lastCompleteOfValue.get(r.offset());
        if (valueDone < overwriter.op().invokeNanos()) {
          out.add(
              AnomalyType.STALE_OFFSET_READ,
              where + " after " + QueueChecks.describe(overwriter.op()) + " completed");
        }
      }
    }
  }

  private static String describe(Read r) {
    return QueueChecks.describe(r.op()) + " returned " + (r.offset() == null ? "none" : r.offset());
  }

  /** Writes sorted by completion, with the running maximum of a score, for range queries. */
  private static final class Prefix {
    private final long[] completes;
    private final Write[] best;

    Prefix(List<Write> ok, ToLongFunction<Write> score) {
      List<Write> sorted =
          ok.stream().sorted(Comparator.comparingLong(w -> w.op().completeNanos())).toList();
      completes = new long[sorted.size()];
      best = new Write[sorted.size()];
      for (int i = 0; i < sorted.size(); i++) {
        Write w = sorted.get(i);
        completes[i] = w.op().completeNanos();
        boolean better = i == 0 || score.applyAsLong(w) > score.applyAsLong(best[i - 1]);
        best[i] = better ? w : best[i - 1];
      }
    }

    /** The best-scoring write that completed strictly before {@code nanos}, or null. */
    Write maxCompletedBefore(long nanos) {
      int i = Arrays.binarySearch(completes, nanos);
      int count = i >= 0 ? firstIndexOf(i) : -i - 1;
      return count == 0 ? null : best[count - 1];
    }

    private int firstIndexOf(int found) {
      int i = found;
      while (i > 0 && completes[i - 1] == completes[found]) {
        i--;
      }
      return i;
    }
  }
}
