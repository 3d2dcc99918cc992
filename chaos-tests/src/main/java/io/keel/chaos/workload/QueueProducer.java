package io.keel.chaos.workload;

import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.client.KeelProducer;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One logical producer process: sends unique values to its own partition, one at a time (one
 * producer per partition, so a partition without a leader stalls only its own producer and the
 * per-partition availability windows mean what they say). A send that send() refused is a FAIL
 * (nothing left the client); any later error or timeout is INFO, since the broker may have appended
 * the batch before the answer was lost.
 */
final class QueueProducer implements Runnable {
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(100);
  // Longer than delivery.timeout.ms, so the client's own deadline normally answers first.
  private static final Duration ANSWER_TIMEOUT =
      Duration.ofMillis(KeelClients.DELIVERY_TIMEOUT_MS + 5_000);

  private final int process;
  private final KeelProducer<Long, Long> producer;
  private final String topic;
  private final int partition;
  private final AtomicLong values;
  private final HistoryRecorder history;
  private final BooleanSupplier running;

  QueueProducer(
      int process,
      KeelProducer<Long, Long> producer,
      String topic,
      int partition,
      AtomicLong values,
      HistoryRecorder history,
      BooleanSupplier running) {
    this.process = process;
    this.producer = producer;
    this.topic = topic;
    this.partition = partition;
    this.values = values;
    this.history = history;
    this.running = running;
  }

  @Override
  public void run() {
    try {
      while (running.getAsBoolean()) {
        if (!sendOne()) {
          Thread.sleep(ERROR_BACKOFF.toMillis()); // a fault is going on; do not spin
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns whether the send was acknowledged. */
  private boolean sendOne() throws InterruptedException {
    int p = partition;
    long value = values.getAndIncrement();
    Op.Send invoke = new Op.Send(p, value, null);
    history.invoke(process, invoke);
    CompletableFuture<RecordMetadata> answer;
    try {
      answer = producer.send(new ProducerRecord<>(topic, p, null, value));
    } catch (RuntimeException e) {
      history.fail(process, invoke, Errors.describe(e));
      return false;
    }
    try {
      RecordMetadata md = answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      history.ok(process, new Op.Send(p, value, md.offset()));
      return true;
    } catch (ExecutionException | TimeoutException e) {
      history.info(process, invoke, Errors.describe(e));
      return false;
    } catch (InterruptedException e) {
      history.info(process, invoke, "interrupted");
      throw e;
    }
  }
}
