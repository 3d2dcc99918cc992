package io.keel.chaos.checker;

import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.Phase;
import io.keel.chaos.history.Rec;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Checks of the queue workload: sends against polls and the final read. */
final class QueueChecks {
  private record Slot(int partition, long offset) {
    @Override
    public String toString() {
      return "p" + partition + "@" + offset;
    }
  }

  private static final Comparator<Slot> SLOT_ORDER =
      Comparator.comparingInt(Slot::partition).thenComparingLong(Slot::offset);

  private final List<Operation> ops;
  private final ReplicaLogs replicas;
  private final Anomalies out;

  QueueChecks(List<Operation> ops, ReplicaLogs replicas, Anomalies out) {
    this.ops = ops;
    this.replicas = replicas;
    this.out = out;
  }

  void run() {
    checkLostAndUnseen();
    checkOffsetsAndDuplicates();
    checkPhantoms();
    checkPollOrder();
  }

  private void checkLostAndUnseen() {
    Map<Long, Rec> finalByValue = new HashMap<>();
    Map<Integer, Long> finalMaxOffset = new HashMap<>();
    boolean finalReadOk = false;
    for (Operation o : ops) {
      if (o.op() instanceof Op.FinalRead fr && o.isOk()) {
        finalReadOk = true;
        for (Rec r : fr.records()) {
          finalByValue.putIfAbsent(r.value(), r);
          finalMaxOffset.merge(r.partition(), r.offset(), Math::max);
        }
      }
    }
    for (Operation o : ops) {
      if (o.op() instanceof Op.Send s && o.isOk() && !finalByValue.containsKey(s.value())) {
        long acked = s.offset() == null ? -1 : s.offset();
        long max = finalMaxOffset.getOrDefault(s.partition(), -1L);
        String what = describe(o) + (finalReadOk ? "" : " (no successful final read)");
        if (max > acked) {
          out.add(AnomalyType.LOST_WRITE, what + "; final read reached offset " + max);
        } else {
          out.add(AnomalyType.UNSEEN_WRITE, what);
        }
      }
    }
  }

  /** Who observed a record: a client operation or a replica; described only when reported. */
  private record Source(Operation op, int replicaNode) {
    @Override
    public String toString() {
      return op != null ? describe(op) : "replica on node " + replicaNode;
    }
  }

  /** Observations at (partition, offset) from acks, reads and replicas must agree. */
  private void checkOffsetsAndDuplicates() {
    Map<Slot, Long> valueAt = new HashMap<>();
    Map<Slot, Source> sourceAt = new HashMap<>();
    Map<Long, Slot> firstReadAt = new HashMap<>();
    Map<Long, Set<Slot>> duplicates = new TreeMap<>();
    for (Operation o : ops) {
      if (!o.isOk()) {
        continue;
      }
      Source source = new Source(o, 0);
      for (Rec r : observed(o)) {
        Slot slot = new Slot(r.partition(), r.offset());
        observe(slot, r.value(), source, valueAt, sourceAt);
        Slot firstRead =
            o.op() instanceof Op.Send ? slot : firstReadAt.putIfAbsent(r.value(), slot);
        if (firstRead != null && !firstRead.equals(slot)) {
          duplicates
              .computeIfAbsent(r.value(), v -> new TreeSet<>(SLOT_ORDER))
              .addAll(List.of(firstRead, slot));
        }
      }
    }
    new TreeMap<>(replicas.byPartition())
        .forEach(
            (p, byNode) ->
                new TreeMap<>(byNode)
                    .forEach(
                        (node, recs) -> {
                          Source source = new Source(null, node);
                          for (Rec r : recs) {
                            Slot slot = new Slot(r.partition(), r.offset());
                            observe(slot, r.value(), source, valueAt, sourceAt);
                          }
                        }));
    duplicates.forEach(
        (value, slots) -> out.add(AnomalyType.DUPLICATE, "value " + value + " read at " + slots));
  }

  private void observe(
      Slot slot, long value, Source source, Map<Slot, Long> valueAt, Map<Slot, Source> sourceAt) {
    Long prior = valueAt.putIfAbsent(slot, value);
    sourceAt.putIfAbsent(slot, source);
    if (prior != null && prior != value) {
      out.add(
          AnomalyType.INCONSISTENT_OFFSET,
          "p%d@%d: %d per %s but %d per %s"
              .formatted(
                  slot.partition(), slot.offset(), prior, sourceAt.get(slot), value, source));
    }
  }

  private void checkPhantoms() {
    Map<Long, Phase> sendOutcome = new HashMap<>();
    for (Operation o : ops) {
      if (o.op() instanceof Op.Send s) {
        sendOutcome.put(s.value(), o.outcome());
      }
    }
    for (Operation o : ops) {
      if (!o.isOk() || o.op() instanceof Op.Send) {
        continue;
      }
      for (Rec r : observed(o)) {
        Phase sent = sendOutcome.get(r.value());
        if (sent == null || sent == Phase.FAIL) {
          String why = sent == null ? "never sent" : "whose send failed";
          out.add(AnomalyType.PHANTOM_READ, describe(o) + " read " + r + ", " + why);
        }
      }
    }
  }

  /** Within one ownership period (from an Assign to the next), offsets advance one by one. */
  private void checkPollOrder() {
    Map<Integer, Map<Integer, Long>> lastByProcess = new HashMap<>();
    for (Operation o : ops) {
      if (!o.isOk()) {
        continue;
      }
      if (o.op() instanceof Op.Assign) {
        lastByProcess.put(o.process(), new HashMap<>());
      } else if (o.op() instanceof Op.Poll poll) {
        Map<Integer, Long> last = lastByProcess.computeIfAbsent(o.process(), p -> new HashMap<>());
        for (Rec r : poll.records()) {
          Long prev = last.put(r.partition(), r.offset());
          if (prev != null && r.offset() <= prev) {
            out.add(AnomalyType.POLL_NONMONOTONIC, describe(o) + ": " + prev + " then " + r);
          } else if (prev != null && r.offset() > prev + 1) {
            out.add(AnomalyType.POLL_SKIP, describe(o) + ": " + prev + " then " + r);
          }
        }
      }
    }
  }

  private static List<Rec> observed(Operation o) {
    return switch (o.op()) {
      case Op.Send s when s.offset() != null ->
          List.of(new Rec(s.partition(), s.offset(), s.value()));
      case Op.Send s -> List.of();
      case Op.Poll p -> p.records();
      case Op.FinalRead f -> f.records();
      case Op.Commit c -> List.of();
      case Op.ReadOffsets r -> List.of();
      case Op.Assign a -> List.of();
      case Op.Fault f -> List.of();
      case Op.TaskQueueSetup t -> List.of();
      case Op.Enqueue e -> List.of();
      case Op.Acquire a -> List.of();
      case Op.Acknowledge a -> List.of();
      case Op.DeadLetters d -> List.of();
      case Op.WorkerCrash c -> List.of();
    };
  }

  static String describe(Operation o) {
    String op =
        switch (o.op()) {
          case Op.Send s -> "send " + s.value() + " to p" + s.partition() + ackAt(s);
          case Op.Poll p -> "poll";
          case Op.FinalRead f -> "final-read";
          case Op.Commit c -> "commit " + c.offsets();
          case Op.ReadOffsets r -> "read-offsets " + r.offsets();
          case Op.Assign a -> "assign " + a.partitions();
          case Op.Fault f -> "fault " + f.name();
          case Op.TaskQueueSetup t -> "task-queue-setup";
          case Op.Enqueue e -> "enqueue " + e.task() + " to p" + e.partition() + enqueuedAt(e);
          case Op.Acquire a -> "acquire of " + a.deliveries().size();
          case Op.Acknowledge a -> "acknowledge of " + a.acks().size();
          case Op.DeadLetters d -> "dead-letter read" + (d.complete() ? " (complete)" : "");
          case Op.WorkerCrash c -> "worker crash (" + c.how() + ")";
        };
    return "%s by process %d at %.3fs".formatted(op, o.process(), o.invoke().timeSeconds());
  }

  private static String enqueuedAt(Op.Enqueue e) {
    return e.offset() == null ? "" : " (acked offset " + e.offset() + ")";
  }

  private static String ackAt(Op.Send s) {
    return s.offset() == null ? "" : " (acked offset " + s.offset() + ")";
  }
}
