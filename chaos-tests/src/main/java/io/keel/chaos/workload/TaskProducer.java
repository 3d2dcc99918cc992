package io.keel.chaos.workload;

import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.client.Header;
import io.keel.client.KeelProducer;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.share.DeliverAt;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One logical producer of tasks to its own partition, one send at a time, paced so the workers keep
 * up. Some tasks carry a {@code keel.deliver.at} a few seconds ahead. Outcomes as in {@link
 * QueueProducer}: refused by send() is FAIL, any later error INFO.
 */
final class TaskProducer implements Runnable {
  private static final Duration PACE = Duration.ofMillis(50);
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(100);
  private static final Duration ANSWER_TIMEOUT =
      Duration.ofMillis(KeelClients.DELIVERY_TIMEOUT_MS + 5_000);
  private static final int DELAYED_ONE_IN = 5;
  private static final int MIN_DELAY_MS = 1_000;
  private static final int MAX_DELAY_MS = 4_000;

  private final int process;
  private final KeelProducer<Long, Long> producer;
  private final String topic;
  private final int partition;
  private final AtomicLong tasks;
  private final HistoryRecorder history;
  private final Random random;
  private final BooleanSupplier running;

  TaskProducer(
      int process,
      KeelProducer<Long, Long> producer,
      String topic,
      int partition,
      AtomicLong tasks,
      HistoryRecorder history,
      Random random,
      BooleanSupplier running) {
    this.process = process;
    this.producer = producer;
    this.topic = topic;
    this.partition = partition;
    this.tasks = tasks;
    this.history = history;
    this.random = random;
    this.running = running;
  }

  @Override
  public void run() {
    try {
      while (running.getAsBoolean()) {
        Thread.sleep(sendOne() ? PACE.toMillis() : ERROR_BACKOFF.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean sendOne() throws InterruptedException {
    long task = tasks.getAndIncrement();
    Long deliverAt =
        random.nextInt(DELAYED_ONE_IN) == 0
            ? System.currentTimeMillis() + random.nextInt(MIN_DELAY_MS, MAX_DELAY_MS)
            : null;
    Op.Enqueue invoke = new Op.Enqueue(partition, task, deliverAt, null);
    List<Header> headers =
        deliverAt == null ? List.of() : List.of(DeliverAt.at(Instant.ofEpochMilli(deliverAt)));
    history.invoke(process, invoke);
    CompletableFuture<RecordMetadata> answer;
    try {
      answer = producer.send(new ProducerRecord<>(topic, partition, null, task, headers, null));
    } catch (RuntimeException e) {
      history.fail(process, invoke, Errors.describe(e));
      return false;
    }
    try {
      RecordMetadata md = answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      history.ok(process, new Op.Enqueue(partition, task, deliverAt, md.offset()));
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
