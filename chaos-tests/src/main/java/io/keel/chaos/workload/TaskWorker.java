package io.keel.chaos.workload;

import io.keel.chaos.history.Delivery;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.TaskAck;
import io.keel.client.ConsumerRecord;
import io.keel.client.TopicPartition;
import io.keel.client.share.AcknowledgeType;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.ShareAcknowledgementException;
import io.keel.client.share.ShareRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One logical share-group worker: polls tasks, then acknowledges each as its {@link Policy} says,
 * in one commitSync (a RENEW is followed by an ACCEPT in a second one). A task the policy leaves
 * unacknowledged stays held until its lock runs out; now and then the worker "crashes" by closing
 * its consumer (leaving the group releases what it holds) and joins again as a new member.
 *
 * <p>Outcomes: a poll that threw is INFO (the broker may have acquired records whose answer was
 * lost); a commit that threw is INFO; a commit the broker answered is OK, with each refused
 * acknowledgement's code.
 */
final class TaskWorker implements Runnable {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(200);

  /** What to do with one delivery; null leaves it unacknowledged (its lock will expire). */
  interface Policy {
    TaskAck.Kind decide(Delivery delivery, Random random);
  }

  /**
   * Workers during the run: poison tasks ({@code task % poisonEvery == 0}) are released or left to
   * expire until they reach the delivery limit; the others are mostly accepted.
   */
  static Policy chaotic(int poisonEvery) {
    return (d, random) -> {
      if (d.task() % poisonEvery == 0) {
        return d.count() % 2 == 1 ? TaskAck.Kind.RELEASE : null;
      }
      int roll = random.nextInt(100);
      if (roll < 80) {
        return TaskAck.Kind.ACCEPT;
      } else if (roll < 88) {
        return TaskAck.Kind.RELEASE;
      } else if (roll < 92) {
        return TaskAck.Kind.REJECT;
      } else if (roll < 96) {
        return TaskAck.Kind.RENEW;
      }
      return null;
    };
  }

  /** After the run: accept everything but poison tasks, which are released to the limit. */
  static Policy drain(int poisonEvery) {
    return (d, random) -> d.task() % poisonEvery == 0 ? TaskAck.Kind.RELEASE : TaskAck.Kind.ACCEPT;
  }

  private final int process;
  private final Supplier<KeelShareConsumer<Long, Long>> consumers;
  private final String topic;
  private final HistoryRecorder history;
  private final Random random;
  private final Policy policy;
  private final int closeOneIn;
  private final TaskSabotage sabotage;
  private final BooleanSupplier running;
  private KeelShareConsumer<Long, Long> consumer;

  /**
   * @param consumers a new, unsubscribed consumer per member incarnation
   * @param closeOneIn after one poll in this many the worker closes its consumer; 0: never
   */
  TaskWorker(
      int process,
      Supplier<KeelShareConsumer<Long, Long>> consumers,
      String topic,
      HistoryRecorder history,
      Random random,
      Policy policy,
      int closeOneIn,
      TaskSabotage sabotage,
      BooleanSupplier running) {
    this.process = process;
    this.consumers = consumers;
    this.topic = topic;
    this.history = history;
    this.random = random;
    this.policy = policy;
    this.closeOneIn = closeOneIn;
    this.sabotage = sabotage;
    this.running = running;
  }

  @Override
  public void run() {
    try {
      while (running.getAsBoolean()) {
        if (!step()) {
          Thread.sleep(ERROR_BACKOFF.toMillis()); // a fault is going on; do not spin
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      leave();
    }
  }

  /** One poll and its acknowledgements; false when it could not poll. */
  boolean step() {
    if (consumer == null && !join()) {
      return false;
    }
    List<ShareRecord<Long, Long>> batch = acquire();
    if (batch == null) {
      return false;
    }
    handle(batch);
    if (closeOneIn > 0 && !batch.isEmpty() && random.nextInt(closeOneIn) == 0) {
      Op.WorkerCrash crash = new Op.WorkerCrash("close", batch.size());
      history.invoke(process, crash);
      history.ok(process, crash);
      leave();
    }
    return true;
  }

  /** Closes the consumer: leaving the group releases whatever it still holds. */
  void leave() {
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }

  private boolean join() {
    KeelShareConsumer<Long, Long> c = consumers.get();
    try {
      c.subscribe(List.of(topic));
      consumer = c;
      return true;
    } catch (RuntimeException e) {
      c.close();
      return false;
    }
  }

  private List<ShareRecord<Long, Long>> acquire() {
    history.invoke(process, new Op.Acquire(List.of()));
    List<ShareRecord<Long, Long>> batch;
    try {
      batch = consumer.pollShare(POLL_TIMEOUT);
    } catch (RuntimeException e) {
      history.info(process, new Op.Acquire(List.of()), Errors.describe(e));
      return null;
    }
    history.ok(process, new Op.Acquire(batch.stream().map(TaskWorker::delivery).toList()));
    return batch;
  }

  private static Delivery delivery(ShareRecord<Long, Long> r) {
    ConsumerRecord<Long, Long> c = r.record();
    return new Delivery(c.partition(), c.offset(), c.value(), r.deliveryCount());
  }

  private record Decided(ShareRecord<Long, Long> record, TaskAck ack) {}

  private void handle(List<ShareRecord<Long, Long>> batch) {
    List<Decided> now = new ArrayList<>();
    List<Decided> then = new ArrayList<>();
    List<Decided> unsent = new ArrayList<>();
    int held = 0;
    for (ShareRecord<Long, Long> r : batch) {
      Delivery d = delivery(r);
      TaskAck.Kind kind = policy.decide(d, random);
      if (kind == null) {
        held++;
        continue;
      }
      Decided decided = new Decided(r, ack(d, kind));
      if (kind == TaskAck.Kind.RENEW) {
        then.add(new Decided(r, ack(d, TaskAck.Kind.ACCEPT)));
      }
      boolean sabotaged =
          sabotage == TaskSabotage.UNSENT_ACCEPTS
              && kind == TaskAck.Kind.ACCEPT
              && random.nextInt(10) == 0;
      (sabotaged ? unsent : now).add(decided);
    }
    if (held > 0) {
      Op.WorkerCrash crash = new Op.WorkerCrash("no-ack", held);
      history.invoke(process, crash);
      history.ok(process, crash);
    }
    if (!unsent.isEmpty()) {
      Op.Acknowledge lie = new Op.Acknowledge(unsent.stream().map(Decided::ack).toList());
      history.invoke(process, lie);
      history.ok(process, lie);
    }
    commit(now);
    commit(then);
  }

  private static TaskAck ack(Delivery d, TaskAck.Kind kind) {
    return new TaskAck(d.partition(), d.offset(), d.task(), d.count(), kind, null);
  }

  private void commit(List<Decided> decided) {
    if (decided.isEmpty()) {
      return;
    }
    for (Decided d : decided) {
      consumer.acknowledge(d.record().record(), AcknowledgeType.valueOf(d.ack().kind().name()));
    }
    Op.Acknowledge op = new Op.Acknowledge(decided.stream().map(Decided::ack).toList());
    history.invoke(process, op);
    try {
      consumer.commitSync();
      history.ok(process, op);
    } catch (ShareAcknowledgementException e) {
      history.ok(process, refused(op, e.failures()));
    } catch (RuntimeException e) {
      history.info(process, op, Errors.describe(e));
    }
  }

  private Op.Acknowledge refused(
      Op.Acknowledge op, Map<TopicPartition, Map<Long, ShareAcknowledgementException.Failure>> f) {
    return new Op.Acknowledge(
        op.acks().stream()
            .map(
                a -> {
                  var failure =
                      f.getOrDefault(new TopicPartition(topic, a.partition()), Map.of())
                          .get(a.offset());
                  return failure == null ? a : a.refusedWith(failure.code());
                })
            .toList());
  }
}
