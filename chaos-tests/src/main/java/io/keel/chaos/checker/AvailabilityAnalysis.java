package io.keel.chaos.checker;

import io.keel.chaos.checker.Availability.FaultWindow;
import io.keel.chaos.checker.Availability.WriteGap;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Write availability per partition and recovery time after each fault. Writes are the queue
 * workload's sends or the task queue's enqueues (a run drives one of them: partition numbers of the
 * two topics would mix).
 */
final class AvailabilityAnalysis {
  private AvailabilityAnalysis() {}

  static Availability analyse(List<Operation> ops) {
    List<Operation> sends = ops.stream().filter(AvailabilityAnalysis::isWrite).toList();
    List<Long> acks =
        sends.stream().filter(Operation::isOk).map(Operation::completeNanos).sorted().toList();
    return new Availability(writeGaps(sends), faultWindows(ops, acks, acksByPartition(sends)));
  }

  private static boolean isWrite(Operation o) {
    return o.op() instanceof Op.Send || o.op() instanceof Op.Enqueue;
  }

  /** The partition a write went to (only for {@link #isWrite} operations). */
  private static int partition(Operation o) {
    return switch (o.op()) {
      case Op.Send s -> s.partition();
      case Op.Enqueue e -> e.partition();
      default -> throw new IllegalArgumentException("not a write: " + o.op());
    };
  }

  private static Map<Integer, List<Long>> acksByPartition(List<Operation> sends) {
    Map<Integer, List<Long>> out = new TreeMap<>();
    for (Operation o : sends) {
      if (o.isOk()) {
        out.computeIfAbsent(partition(o), p -> new ArrayList<>()).add(o.completeNanos());
      }
    }
    out.values().forEach(Collections::sort);
    return out;
  }

  /**
   * From {@code start} until every partition acknowledged in the active window before it has an
   * acknowledgement again; NaN if one never has, 0 if none was active. {@code start} is when the
   * fault took effect (its START completed: the node is dead or stopped), not when it was asked
   * for: acks of requests the node answered in between are no evidence of failover (a SIGSTOP run
   * once reported 0.03 s that way for a 0.43 s failover).
   */
  private static double stall(Map<Integer, List<Long>> acksByPartition, long start) {
    long windowNanos = (long) (Availability.ACTIVE_WINDOW_SECONDS * 1e9);
    double worst = 0;
    for (List<Long> acks : acksByPartition.values()) {
      int next = firstAtOrAfter(acks, start);
      boolean active = next > 0 && acks.get(next - 1) >= start - windowNanos;
      if (!active) {
        continue;
      }
      if (next == acks.size()) {
        return Double.NaN;
      }
      worst = Math.max(worst, (acks.get(next) - start) / 1e9);
    }
    return worst;
  }

  /**
   * From the heal's end until every partition that was written in the active window before {@code
   * start} but had no acknowledgement between {@code start} and {@code heal} (the fault stopped it)
   * has one; 0 if the fault stopped none, NaN if one never recovered.
   */
  private static double backToAck(Map<Integer, List<Long>> acksByPartition, long start, long heal) {
    long windowNanos = (long) (Availability.ACTIVE_WINDOW_SECONDS * 1e9);
    double worst = 0;
    for (List<Long> acks : acksByPartition.values()) {
      int next = firstAtOrAfter(acks, start);
      boolean active = next > 0 && acks.get(next - 1) >= start - windowNanos;
      boolean stopped = next == acks.size() || acks.get(next) > heal;
      if (!active || !stopped) {
        continue;
      }
      if (next == acks.size()) {
        return Double.NaN;
      }
      worst = Math.max(worst, (acks.get(next) - heal) / 1e9);
    }
    return worst;
  }

  private static int firstAtOrAfter(List<Long> sorted, long t) {
    int i = Collections.binarySearch(sorted, t);
    int first = i >= 0 ? i : -i - 1;
    while (first > 0 && sorted.get(first - 1) >= t) {
      first--;
    }
    return first;
  }

  /** Gaps run from the first send's invocation to the last send's end, between acks. */
  private static List<WriteGap> writeGaps(List<Operation> sends) {
    if (sends.isEmpty()) {
      return List.of();
    }
    long start = sends.stream().mapToLong(Operation::invokeNanos).min().orElseThrow();
    long end =
        sends.stream()
            .mapToLong(o -> o.completion() == null ? o.invokeNanos() : o.completeNanos())
            .max()
            .orElseThrow();
    Map<Integer, List<Long>> acksByPartition = new TreeMap<>();
    for (Operation o : sends) {
      List<Long> acks = acksByPartition.computeIfAbsent(partition(o), p -> new ArrayList<>());
      if (o.isOk()) {
        acks.add(o.completeNanos());
      }
    }
    List<WriteGap> gaps = new ArrayList<>();
    acksByPartition.forEach((p, acks) -> gaps.add(longestGap(p, start, end, acks)));
    return gaps;
  }

  private static WriteGap longestGap(int partition, long start, long end, List<Long> acks) {
    List<Long> points = new ArrayList<>();
    points.add(start);
    acks.stream().sorted().forEach(points::add);
    points.add(end);
    long bestFrom = start;
    long bestTo = start;
    for (int i = 1; i < points.size(); i++) {
      if (points.get(i) - points.get(i - 1) > bestTo - bestFrom) {
        bestFrom = points.get(i - 1);
        bestTo = points.get(i);
      }
    }
    return new WriteGap(partition, bestFrom / 1e9, bestTo / 1e9);
  }

  /** Pairs START and HEAL events of the same fault name in order. */
  private static List<FaultWindow> faultWindows(
      List<Operation> ops, List<Long> acks, Map<Integer, List<Long>> acksByPartition) {
    Map<String, Deque<Integer>> open = new HashMap<>();
    List<Op.Fault> starts = new ArrayList<>();
    List<Long> startNanos = new ArrayList<>();
    List<Long> effectNanos = new ArrayList<>();
    List<Long> healNanos = new ArrayList<>();
    for (Operation o : ops) {
      if (!(o.op() instanceof Op.Fault f)) {
        continue;
      }
      long at = o.completion() == null ? o.invokeNanos() : o.completeNanos();
      switch (f.action()) {
        case START -> {
          open.computeIfAbsent(f.name(), n -> new ArrayDeque<>()).add(starts.size());
          starts.add(f);
          startNanos.add(o.invokeNanos());
          effectNanos.add(at);
          healNanos.add(null);
        }
        case HEAL -> {
          Deque<Integer> q = open.get(f.name());
          if (q != null && !q.isEmpty()) {
            healNanos.set(q.poll(), at);
          }
        }
      }
    }
    List<Long> heals = healNanos.stream().filter(h -> h != null).sorted().toList();
    List<FaultWindow> out = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      Long heal = healNanos.get(i);
      int before = firstAtOrAfter(heals, startNanos.get(i));
      double sinceHeal =
          before == 0
              ? Double.POSITIVE_INFINITY
              : (startNanos.get(i) - heals.get(before - 1)) / 1e9;
      double recovery = heal == null ? Double.NaN : firstAckAfter(acks, heal);
      out.add(
          new FaultWindow(
              starts.get(i).name(),
              starts.get(i).detail(),
              startNanos.get(i) / 1e9,
              heal == null ? Double.NaN : heal / 1e9,
              recovery,
              stall(acksByPartition, effectNanos.get(i)),
              heal == null ? Double.NaN : backToAck(acksByPartition, startNanos.get(i), heal),
              ClientErrors.nonRetriable(
                  ops, startNanos.get(i), heal == null ? Long.MAX_VALUE : heal),
              sinceHeal));
    }
    return out;
  }

  private static double firstAckAfter(List<Long> sortedAcks, long heal) {
    int i = Collections.binarySearch(sortedAcks, heal);
    int first = i >= 0 ? i : -i - 1;
    // Equal timestamps: step back to the earliest ack at exactly the heal time.
    while (first > 0 && sortedAcks.get(first - 1) >= heal) {
      first--;
    }
    return first < sortedAcks.size() ? (sortedAcks.get(first) - heal) / 1e9 : Double.NaN;
  }
}
