package io.keel.chaos.checker;

import io.keel.chaos.history.DeadLetter;
import io.keel.chaos.history.Delivery;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.Phase;
import io.keel.chaos.history.TaskAck;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks of the task-queue workload (share groups): every acknowledged task is accepted once or
 * dead-lettered, never redelivered after its outcome, never delivered early, with delivery counts
 * that only grow and dead letters that carry the right count. A task record is its (partition,
 * offset) in the task topic.
 *
 * <p>An ACCEPT counts as <em>confirmed</em> when its commitSync completed ok and the broker did not
 * refuse it; as <em>possible</em> when the commit was indeterminate or refused (the client retries
 * a request whose answer was lost, and the retry is refused if the first attempt applied). A
 * possible ACCEPT settles its task only if no later poll delivered the record again.
 */
final class TaskQueueChecks {
  /**
   * How far before its deliver-at time a delivery may complete, in ms: broker and harness read the
   * same machine's clock, so this covers only millisecond rounding and a small clock step.
   */
  static final long CLOCK_SLACK_MS = 250;

  private record Slot(int partition, long offset) {
    @Override
    public String toString() {
      return "p" + partition + "@" + offset;
    }
  }

  private static final Comparator<Slot> SLOT_ORDER =
      Comparator.comparingInt(Slot::partition).thenComparingLong(Slot::offset);

  private record Seen(Operation poll, Delivery delivery) {}

  private record Acked(Operation op, TaskAck ack) {
    boolean confirmed() {
      return op.isOk() && ack.refused() == null;
    }

    /** Confirmed, or may have applied (indeterminate or refused); not a definite failure. */
    boolean possible() {
      return op.outcome() != Phase.FAIL;
    }
  }

  private record Letter(Operation read, DeadLetter letter) {}

  private final Anomalies out;
  private final List<Operation> ops;
  private Op.TaskQueueSetup setup;
  // Per task: its enqueue outcome, deliver-at time and acknowledged slot.
  private final Map<Long, Phase> enqueueOutcome = new HashMap<>();
  private final Map<Long, Long> deliverAt = new HashMap<>();
  private final Map<Long, Operation> ackedEnqueue = new TreeMap<>();
  private final Map<Slot, Long> taskAt = new HashMap<>();
  private final Map<Slot, List<Seen>> deliveries = new HashMap<>();
  private final Map<Slot, List<Acked>> acks = new HashMap<>();
  private final Map<Slot, List<Letter>> letters = new HashMap<>();
  private final Map<Long, Set<Slot>> slotsOfTask = new HashMap<>();
  private boolean completeLetterRead;

  TaskQueueChecks(List<Operation> ops, Anomalies out) {
    this.ops = ops;
    this.out = out;
  }

  void run() {
    ops.forEach(this::collect);
    if (setup == null && enqueueOutcome.isEmpty() && deliveries.isEmpty()) {
      return; // no task-queue workload in this run
    }
    checkPhantomsAndDuplicates();
    deliveries.forEach(this::checkDeliveries);
    acks.forEach(this::checkAccepts);
    letters.forEach(this::checkLetters);
    checkLost();
  }

  private void collect(Operation o) {
    switch (o.op()) {
      case Op.TaskQueueSetup s -> setup = s;
      case Op.Enqueue e -> collectEnqueue(o, e);
      case Op.Acquire a when o.isOk() -> {
        for (Delivery d : a.deliveries()) {
          Slot slot = slot(d.partition(), d.offset(), d.task(), o);
          deliveries.computeIfAbsent(slot, s -> new ArrayList<>()).add(new Seen(o, d));
        }
      }
      case Op.Acknowledge a -> {
        for (TaskAck ack : a.acks()) {
          Slot slot = new Slot(ack.partition(), ack.offset());
          acks.computeIfAbsent(slot, s -> new ArrayList<>()).add(new Acked(o, ack));
        }
      }
      case Op.DeadLetters d when o.isOk() -> {
        completeLetterRead |= d.complete();
        for (DeadLetter l : d.letters()) {
          if (l.partition() < 0 || l.offset() < 0) {
            out.add(AnomalyType.DLQ_HEADERS_WRONG, l + " names no source record");
            continue;
          }
          Slot slot = slot(l.partition(), l.offset(), l.task(), o);
          letters.computeIfAbsent(slot, s -> new ArrayList<>()).add(new Letter(o, l));
        }
      }
      default -> {}
    }
  }

  private void collectEnqueue(Operation o, Op.Enqueue e) {
    // A retried task keeps its id: the strongest outcome wins (ok over info over fail).
    enqueueOutcome.merge(e.task(), o.outcome(), TaskQueueChecks::stronger);
    if (e.deliverAtMs() != null) {
      deliverAt.put(e.task(), e.deliverAtMs());
    }
    if (o.isOk() && e.offset() != null) {
      ackedEnqueue.putIfAbsent(e.task(), o);
      slot(e.partition(), e.offset(), e.task(), o);
    }
  }

  private static Phase stronger(Phase a, Phase b) {
    return a == Phase.OK || b == Phase.OK ? Phase.OK : a == Phase.INFO ? a : b;
  }

  /** The slot, checking every observation of it names the same task. */
  private Slot slot(int partition, long offset, long task, Operation source) {
    Slot slot = new Slot(partition, offset);
    Long prior = taskAt.putIfAbsent(slot, task);
    if (prior != null && prior != task) {
      out.add(
          AnomalyType.INCONSISTENT_OFFSET,
          "%s: task %d, but %d per %s".formatted(slot, prior, task, QueueChecks.describe(source)));
    }
    slotsOfTask.computeIfAbsent(task, t -> new TreeSet<>(SLOT_ORDER)).add(slot);
    return slot;
  }

  private void checkPhantomsAndDuplicates() {
    Map<Long, Set<Slot>> sorted = new TreeMap<>(slotsOfTask);
    sorted.forEach(
        (task, slots) -> {
          Phase enqueued = enqueueOutcome.get(task);
          if (enqueued == null || enqueued == Phase.FAIL) {
            out.add(
                AnomalyType.PHANTOM_TASK,
                "task %d at %s %s"
                    .formatted(
                        task,
                        slots,
                        enqueued == null ? "was never enqueued" : "failed to enqueue"));
          }
          if (slots.size() > 1) {
            out.add(AnomalyType.DUPLICATE, "task " + task + " is at " + slots);
          }
        });
  }

  private void checkDeliveries(Slot slot, List<Seen> seen) {
    long task = taskAt.get(slot);
    Long due = deliverAt.get(task);
    for (Seen s : seen) {
      int count = s.delivery().count();
      long deliveredMs = s.poll().completion().wallMs();
      if (due != null && deliveredMs < due - CLOCK_SLACK_MS) {
        out.add(
            AnomalyType.EARLY_DELIVERY,
            "task %d (%s) due at %d delivered %d ms early by %s"
                .formatted(task, slot, due, due - deliveredMs, QueueChecks.describe(s.poll())));
      }
      if (setup != null && count > setup.deliveryLimit()) {
        out.add(
            AnomalyType.DELIVERED_PAST_LIMIT,
            "task %d (%s) delivery count %d, limit %d, by %s"
                .formatted(
                    task, slot, count, setup.deliveryLimit(), QueueChecks.describe(s.poll())));
      }
      for (Seen earlier : seen) {
        boolean before = earlier.poll().completeNanos() < s.poll().invokeNanos();
        if (before && count <= earlier.delivery().count()) {
          out.add(
              AnomalyType.DELIVERY_COUNT_DECREASED,
              "task %d (%s): count %d after %d (%s then %s)"
                  .formatted(
                      task,
                      slot,
                      count,
                      earlier.delivery().count(),
                      QueueChecks.describe(earlier.poll()),
                      QueueChecks.describe(s.poll())));
        }
      }
      if (count < 1) {
        out.add(
            AnomalyType.DELIVERY_COUNT_DECREASED,
            "task %d (%s) delivered with count %d".formatted(task, slot, count));
      }
    }
    for (Acked a : acks.getOrDefault(slot, List.of())) {
      if (a.confirmed() && a.ack().kind() == TaskAck.Kind.ACCEPT) {
        redeliveredAfter(
            slot,
            seen,
            a.op().completeNanos(),
            AnomalyType.REDELIVERED_AFTER_ACCEPT,
            "ACCEPT acknowledged by " + QueueChecks.describe(a.op()));
      } else if (a.confirmed() && a.ack().kind() == TaskAck.Kind.REJECT) {
        redeliveredAfter(
            slot,
            seen,
            a.op().completeNanos(),
            AnomalyType.REDELIVERED_AFTER_DEAD_LETTER,
            "REJECT acknowledged by " + QueueChecks.describe(a.op()));
      }
    }
    for (Letter l : letters.getOrDefault(slot, List.of())) {
      redeliveredAfter(
          slot,
          seen,
          l.read().completeNanos(),
          AnomalyType.REDELIVERED_AFTER_DEAD_LETTER,
          "read from the dead-letter topic by " + QueueChecks.describe(l.read()));
    }
  }

  private void redeliveredAfter(
      Slot slot, List<Seen> seen, long afterNanos, AnomalyType type, String what) {
    for (Seen s : seen) {
      if (s.poll().invokeNanos() > afterNanos) {
        out.add(
            type,
            "task %d (%s) delivered (count %d) by %s, after it was %s"
                .formatted(
                    taskAt.get(slot),
                    slot,
                    s.delivery().count(),
                    QueueChecks.describe(s.poll()),
                    what));
      }
    }
  }

  private void checkAccepts(Slot slot, List<Acked> all) {
    List<Acked> accepted =
        all.stream().filter(a -> a.confirmed() && a.ack().kind() == TaskAck.Kind.ACCEPT).toList();
    if (accepted.size() > 1) {
      out.add(
          AnomalyType.TASK_ACCEPTED_TWICE,
          "task %d (%s) accepted by %s and by %s"
              .formatted(
                  taskAt.get(slot),
                  slot,
                  QueueChecks.describe(accepted.get(0).op()),
                  QueueChecks.describe(accepted.get(1).op())));
    }
    List<Letter> dead = letters.getOrDefault(slot, List.of());
    if (!accepted.isEmpty() && !dead.isEmpty()) {
      out.add(
          AnomalyType.TASK_ACCEPTED_AND_DEAD_LETTERED,
          "task %d (%s) accepted by %s and dead-lettered as %s"
              .formatted(
                  taskAt.get(slot),
                  slot,
                  QueueChecks.describe(accepted.get(0).op()),
                  dead.get(0).letter()));
    }
  }

  private void checkLetters(Slot slot, List<Letter> all) {
    int maxDelivered =
        deliveries.getOrDefault(slot, List.of()).stream()
            .mapToInt(s -> s.delivery().count())
            .max()
            .orElse(0);
    Set<Integer> rejectedAt = new TreeSet<>();
    for (Acked a : acks.getOrDefault(slot, List.of())) {
      if (a.possible() && a.ack().kind() == TaskAck.Kind.REJECT) {
        rejectedAt.add(a.ack().count());
      }
    }
    for (Letter l : all) {
      DeadLetter d = l.letter();
      if (setup != null
          && (!setup.group().equals(d.group()) || !setup.topic().equals(d.sourceTopic()))) {
        out.add(
            AnomalyType.DLQ_HEADERS_WRONG,
            "%s: group/topic %s/%s, the run's are %s/%s"
                .formatted(slot, d.group(), d.sourceTopic(), setup.group(), setup.topic()));
      }
      String reason = d.reason() == null ? "" : d.reason();
      switch (reason) {
        case "delivery limit" -> {
          if (setup != null && d.count() != setup.deliveryLimit()) {
            out.add(
                AnomalyType.DLQ_COUNT_WRONG,
                "%s dead-lettered for the delivery limit %d with count %d"
                    .formatted(slot, setup.deliveryLimit(), d.count()));
          }
        }
        case "rejected" -> {
          if (rejectedAt.isEmpty()) {
            out.add(
                AnomalyType.DLQ_HEADERS_WRONG, slot + " dead-lettered as rejected; no REJECT sent");
          } else if (!rejectedAt.contains(d.count())) {
            out.add(
                AnomalyType.DLQ_COUNT_WRONG,
                "%s rejected at delivery %s, dead-lettered with count %d"
                    .formatted(slot, rejectedAt, d.count()));
          }
        }
        default ->
            out.add(
                AnomalyType.DLQ_HEADERS_WRONG,
                slot + " dead-lettered with reason '" + reason + "'");
      }
      if (d.count() < maxDelivered) {
        out.add(
            AnomalyType.DLQ_COUNT_WRONG,
            "%s dead-lettered with count %d but delivered with count %d"
                .formatted(slot, d.count(), maxDelivered));
      }
    }
  }

  /** Every acknowledged task settles: a confirmed or final possible ACCEPT, or a dead letter. */
  private void checkLost() {
    String noFinal = completeLetterRead ? "" : " (no complete dead-letter read)";
    ackedEnqueue.forEach(
        (task, enqueue) -> {
          Set<Slot> slots = slotsOfTask.getOrDefault(task, Set.of());
          if (slots.stream().noneMatch(this::settled)) {
            boolean rejected =
                slots.stream()
                    .flatMap(s -> acks.getOrDefault(s, List.of()).stream())
                    .anyMatch(a -> a.confirmed() && a.ack().kind() == TaskAck.Kind.REJECT);
            long delivered =
                slots.stream().mapToLong(s -> deliveries.getOrDefault(s, List.of()).size()).sum();
            out.add(
                AnomalyType.TASK_LOST,
                "%s, delivered %d times%s%s"
                    .formatted(
                        QueueChecks.describe(enqueue),
                        delivered,
                        rejected ? ", REJECT acknowledged but never dead-lettered" : "",
                        noFinal));
          }
        });
  }

  private boolean settled(Slot slot) {
    if (!letters.getOrDefault(slot, List.of()).isEmpty()) {
      return true;
    }
    List<Seen> seen = deliveries.getOrDefault(slot, List.of());
    for (Acked a : acks.getOrDefault(slot, List.of())) {
      if (a.ack().kind() != TaskAck.Kind.ACCEPT || !a.possible()) {
        continue;
      }
      // A possible ACCEPT that applied would be the record's last event.
      long sent = a.op().invokeNanos();
      if (a.confirmed() || seen.stream().noneMatch(s -> s.poll().invokeNanos() > sent)) {
        return true;
      }
    }
    return false;
  }
}
