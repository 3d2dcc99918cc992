package io.keel.client.examples;

import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.KeelException;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.ProducerRecord;
import io.keel.client.Serdes;
import io.keel.client.share.AcknowledgeType;
import io.keel.client.share.DeliverAt;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.KeelShareConsumerConfig;
import io.keel.client.share.ShareAcknowledgementException;
import io.keel.client.share.ShareRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The task queue of the articles on share groups (docs/queues.md, "Example: the task queue"): one
 * topic per task type, a pool of workers (more than the topics have partitions) in one share group,
 * retry with backoff, dead letters after the delivery limit, and scheduled tasks.
 *
 * <p>A handler answers each task with an {@link Outcome}:
 *
 * <ul>
 *   <li>{@link Outcome.Done}: ACCEPT, never delivered again;
 *   <li>{@link Outcome.RetryLater}: re-enqueued with a deliver-at time (exponential backoff) and
 *       the attempt count in a header, then the original is accepted; after {@code maxAttempts} it
 *       is rejected to {@code <topic>.dlq};
 *   <li>{@link Outcome.Failed}: REJECT, straight to {@code <topic>.dlq};
 *   <li>a handler that throws: RELEASE, redelivered at once (delivery count +1); after the group's
 *       delivery limit the broker dead-letters it (a poison task cannot stall the pool).
 * </ul>
 */
public final class TaskQueueExample implements AutoCloseable {
  /** The header counting re-enqueued attempts (1 on the first). */
  public static final String ATTEMPT = "task.attempt";

  /** What a handler made of a task. */
  public sealed interface Outcome {
    record Done() implements Outcome {}

    record RetryLater(String reason) implements Outcome {}

    record Failed(String reason) implements Outcome {}
  }

  /** A task as a handler sees it. */
  public record Task(String type, String id, String payload, int attempt, int deliveryCount) {}

  /** Does a task; throwing means "crashed": the task is released and retried. */
  @FunctionalInterface
  public interface Handler {
    Outcome handle(Task task) throws Exception;
  }

  private final String bootstrap;
  private final String group;
  private final InstantSource clock;
  private final Duration baseBackoff;
  private final int maxAttempts;
  private final KeelProducer<String, String> producer;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);

  public TaskQueueExample(
      String bootstrap, String group, InstantSource clock, Duration baseBackoff, int maxAttempts) {
    this.bootstrap = bootstrap;
    this.group = group;
    this.clock = clock;
    this.baseBackoff = baseBackoff;
    this.maxAttempts = maxAttempts;
    this.producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(bootstrap).build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer());
  }

  /** Enqueues a task now; returns once the cluster has it (acks=all). */
  public void submit(String type, String id, String payload) {
    producer.send(task(type, id, payload, 1)).join();
  }

  /** Enqueues a task that no worker gets before {@code at}. */
  public void schedule(String type, String id, String payload, Instant at) {
    producer.send(DeliverAt.deliverAt(task(type, id, payload, 1), at)).join();
  }

  private static ProducerRecord<String, String> task(
      String type, String id, String payload, int attempt) {
    return new ProducerRecord<>(
        type, null, id, payload, List.of(header(ATTEMPT, Integer.toString(attempt))), null);
  }

  /** Starts {@code count} workers taking tasks of these types. */
  public void startWorkers(int count, List<String> types, Handler handler) {
    for (int i = 0; i < count; i++) {
      Thread t = Thread.ofPlatform().name(group + "-worker-" + i).start(() -> work(types, handler));
      workers.add(t);
    }
  }

  private void work(List<String> types, Handler handler) {
    try (KeelShareConsumer<String, String> consumer =
        new KeelShareConsumer<>(
            KeelShareConsumerConfig.of(
                Map.of(
                    "bootstrap.servers", bootstrap,
                    "group.id", group,
                    "share.acknowledgement.mode", "explicit",
                    "max.poll.records", "10",
                    "fetch.max.wait.ms", "200")),
            Serdes.stringDeserializer(),
            Serdes.stringDeserializer())) {
      consumer.subscribe(types);
      while (running.get()) {
        try {
          for (ShareRecord<String, String> delivered : consumer.pollShare(Duration.ofMillis(200))) {
            consumer.acknowledge(delivered.record(), settle(delivered, handler));
          }
          consumer.commitSync();
        } catch (ShareAcknowledgementException e) {
          // A lock ran out while working: the task is someone else's now (at least once).
        } catch (KeelException e) {
          // The session expired (the broker released what this worker held; the next poll
          // rejoins) or the coordinator is moving: keep working, the tasks come back.
        }
      }
    }
  }

  private AcknowledgeType settle(ShareRecord<String, String> delivered, Handler handler) {
    ConsumerRecord<String, String> r = delivered.record();
    int attempt = attempt(r);
    Outcome outcome;
    try {
      outcome =
          handler.handle(
              new Task(r.topic(), r.key(), r.value(), attempt, delivered.deliveryCount()));
    } catch (Exception crashed) {
      return AcknowledgeType.RELEASE;
    }
    return switch (outcome) {
      case Outcome.Done done -> AcknowledgeType.ACCEPT;
      case Outcome.Failed failed -> AcknowledgeType.REJECT;
      case Outcome.RetryLater retry -> {
        if (attempt >= maxAttempts) {
          yield AcknowledgeType.REJECT;
        }
        // The retry is on the log (acks=all) before the original is accepted: never lost.
        producer.send(retryOf(r, attempt + 1)).join();
        yield AcknowledgeType.ACCEPT;
      }
    };
  }

  /** The next attempt, due after base * 2^(attempt - 2): 1x, 2x, 4x ... */
  private ProducerRecord<String, String> retryOf(ConsumerRecord<String, String> r, int attempt) {
    List<Header> headers = new ArrayList<>();
    r.headers().stream().filter(h -> !h.key().equals(ATTEMPT)).forEach(headers::add);
    headers.add(header(ATTEMPT, Integer.toString(attempt)));
    Duration backoff = baseBackoff.multipliedBy(1L << Math.min(20, attempt - 2));
    return DeliverAt.delayed(
        new ProducerRecord<>(r.topic(), null, r.key(), r.value(), headers, null), backoff, clock);
  }

  private static int attempt(ConsumerRecord<?, ?> r) {
    for (Header h : r.headers()) {
      if (h.key().equals(ATTEMPT) && h.value() != null) {
        try {
          return Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          return 1; // not ours: count it as a first attempt
        }
      }
    }
    return 1;
  }

  private static Header header(String key, String value) {
    return new Header(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops the workers (each sends its acknowledgements and leaves) and the producer. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : workers) {
      t.join(Duration.ofSeconds(30));
    }
    producer.close();
  }
}
