package io.keel.chaos.workload;

import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Rec;
import io.keel.client.ConsumerRebalanceListener;
import io.keel.client.ConsumerRecord;
import io.keel.client.ConsumerRecords;
import io.keel.client.KeelConsumer;
import io.keel.client.OffsetAndMetadata;
import io.keel.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One logical consumer process: polls, then commits the offsets after what it read. Either a group
 * member (subscribe) or, when the cluster offers no consumer groups, a fixed manual assignment.
 *
 * <p>A rebalance inside poll() is recorded truthfully: the poll in flight completes with nothing,
 * the new assignment is recorded, and the records poll() then returns are a second poll, so the
 * checker sees them in the new ownership period.
 */
final class QueueConsumer implements Runnable {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(200);

  /** How the consumer gets its partitions. */
  enum Mode {
    /** subscribe() with group.id; commits by the member. */
    GROUP,
    /** assign() of a fixed share; commits as a simple (memberless) group. */
    ASSIGN_COMMIT,
    /** assign() only: the cluster does not serve group offsets. */
    ASSIGN_ONLY
  }

  private final int process;
  private final KeelConsumer<Long, Long> consumer;
  private final String topic;
  private final String group;
  private final Mode mode;
  private final List<Integer> share;
  private final HistoryRecorder history;
  private final BooleanSupplier running;
  // Next offset to consume per partition read in the current ownership period.
  private final Map<Integer, Long> next = new HashMap<>();
  // Set by the rebalance listener, which may run on the client's membership thread.
  private volatile boolean rebalanced;

  QueueConsumer(
      int process,
      KeelConsumer<Long, Long> consumer,
      String topic,
      String group,
      Mode mode,
      List<Integer> share,
      HistoryRecorder history,
      BooleanSupplier running) {
    this.process = process;
    this.consumer = consumer;
    this.topic = topic;
    this.group = group;
    this.mode = mode;
    this.share = List.copyOf(share);
    this.history = history;
    this.running = running;
  }

  @Override
  public void run() {
    try {
      begin();
      while (running.getAsBoolean()) {
        boolean ok = pollOnce() && commit();
        if (!ok) {
          Thread.sleep(ERROR_BACKOFF.toMillis()); // a fault is going on; do not spin
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void begin() {
    switch (mode) {
      case GROUP -> consumer.subscribe(List.of(topic), listener());
      case ASSIGN_COMMIT, ASSIGN_ONLY -> {
        consumer.assign(share.stream().map(p -> new TopicPartition(topic, p)).toList());
        recordAssign(share);
      }
    }
  }

  private ConsumerRebalanceListener listener() {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        rebalanced = true;
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        rebalanced = true;
      }
    };
  }

  private boolean pollOnce() {
    Op.Poll invoke = new Op.Poll(List.of());
    history.invoke(process, invoke);
    ConsumerRecords<Long, Long> records;
    try {
      records = consumer.poll(POLL_TIMEOUT);
    } catch (RuntimeException e) {
      // Reading has no side effect the checker tracks: the poll certainly returned nothing.
      history.fail(process, invoke, Errors.describe(e));
      return false;
    }
    List<Rec> recs = new ArrayList<>();
    for (ConsumerRecord<Long, Long> r : records) {
      recs.add(new Rec(r.partition(), r.offset(), r.value()));
    }
    if (rebalanced) {
      rebalanced = false;
      history.ok(process, new Op.Poll(List.of()));
      next.clear();
      recordAssign(consumer.assignment().stream().map(TopicPartition::partition).sorted().toList());
      history.invoke(process, invoke);
    }
    history.ok(process, new Op.Poll(recs));
    recs.forEach(r -> next.put(r.partition(), r.offset() + 1));
    return true;
  }

  private void recordAssign(List<Integer> partitions) {
    Op.Assign a = new Op.Assign(partitions);
    history.invoke(process, a);
    history.ok(process, a);
  }

  /** Commits what this ownership period has read so far (nothing to do without offsets). */
  private boolean commit() {
    if (mode == Mode.ASSIGN_ONLY || next.isEmpty()) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
    Op.Commit op = new Op.Commit(group, next);
    history.invoke(process, op);
    try {
      consumer.commitSync(offsets, Duration.ofMillis(KeelClients.API_TIMEOUT_MS));
      history.ok(process, op);
      return true;
    } catch (RuntimeException e) {
      history.info(process, op, Errors.describe(e));
      return false;
    }
  }
}
