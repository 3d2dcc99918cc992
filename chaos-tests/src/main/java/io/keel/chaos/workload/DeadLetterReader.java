package io.keel.chaos.workload;

import io.keel.chaos.history.DeadLetter;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.KeelConsumer;
import io.keel.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Follows the dead-letter topic (one partition) from offset 0 during the run, and reads it whole
 * once the share group is drained. A poll that failed read nothing (FAIL).
 */
final class DeadLetterReader implements Runnable {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(200);

  private final int process;
  private final KeelClients factory;
  private final TopicPartition dlq;
  private final HistoryRecorder history;
  private final BooleanSupplier running;

  DeadLetterReader(
      int process,
      KeelClients factory,
      String dlqTopic,
      HistoryRecorder history,
      BooleanSupplier running) {
    this.process = process;
    this.factory = factory;
    this.dlq = new TopicPartition(dlqTopic, 0);
    this.history = history;
    this.running = running;
  }

  @Override
  public void run() {
    try (KeelConsumer<Long, Long> reader = factory.consumer("chaos-dlq-reader", null)) {
      reader.assign(List.of(dlq));
      reader.seek(dlq, 0);
      while (running.getAsBoolean()) {
        Op.DeadLetters invoke = new Op.DeadLetters(List.of(), false);
        history.invoke(process, invoke);
        try {
          List<DeadLetter> letters = new ArrayList<>();
          reader.poll(POLL_TIMEOUT).forEach(r -> letters.add(parse(r)));
          history.ok(process, new Op.DeadLetters(letters, false));
        } catch (RuntimeException e) {
          history.fail(process, invoke, Errors.describe(e));
          Thread.sleep(ERROR_BACKOFF.toMillis()); // a fault is going on; do not spin
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads the whole topic, offset 0 to its end, with a fresh consumer (one that first saw a stale
   * leader would retry on it) and records it as one read.
   *
   * @param complete the share group had nothing left in flight when the read began
   */
  void readAll(Duration timeout, boolean complete) throws InterruptedException {
    history.invoke(process, new Op.DeadLetters(List.of(), complete));
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (KeelConsumer<Long, Long> reader = factory.consumer("chaos-dlq-final", null)) {
        reader.assign(List.of(dlq));
        reader.seekToEnd(List.of(dlq));
        long end = reader.position(dlq, Duration.ofSeconds(5));
        reader.seek(dlq, 0);
        List<DeadLetter> letters = new ArrayList<>();
        while (reader.position(dlq) < end) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("dead-letter read did not reach " + end + " in time");
          }
          for (ConsumerRecord<Long, Long> r : reader.poll(POLL_TIMEOUT)) {
            if (r.offset() < end) {
              letters.add(parse(r));
            }
          }
        }
        history.ok(process, new Op.DeadLetters(letters, complete));
        return;
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(ERROR_BACKOFF.toMillis()); // the healed cluster may still be electing
      }
    }
    history.fail(process, new Op.DeadLetters(List.of(), complete), Errors.describe(last));
    throw new IllegalStateException("dead-letter read did not succeed within " + timeout, last);
  }

  static DeadLetter parse(ConsumerRecord<Long, Long> r) {
    return new DeadLetter(
        r.offset(),
        r.value() == null ? -1 : r.value(),
        header(r, "keel.dlq.reason"),
        header(r, "keel.dlq.group"),
        header(r, "keel.dlq.source.topic"),
        (int) number(header(r, "keel.dlq.source.partition")),
        number(header(r, "keel.dlq.source.offset")),
        (int) number(header(r, "keel.dlq.delivery.count")));
  }

  private static String header(ConsumerRecord<Long, Long> r, String key) {
    for (Header h : r.headers()) {
      if (h.key().equals(key) && h.value() != null) {
        return new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static long number(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
