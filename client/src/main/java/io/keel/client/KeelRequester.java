package io.keel.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request/reply over the log. {@link #request} sends a record carrying a correlation id, this
 * requester's reply address ({@code topic:partition}) and a deadline; a {@link KeelResponder}
 * handles it and sends the reply there with the same correlation id; the future completes with the
 * reply's value. A reply after the timeout is dropped and counted ({@link #lateReplies()}); so is a
 * second reply to one request (a worker that crashed after replying but before committing). At most
 * {@code maxOutstandingRequests} wait at once; a caller beyond that blocks up to {@code maxBlock},
 * then fails with {@link BufferExhaustedException}: callers cannot outrun workers.
 *
 * <pre>{@code
 * try (var requester = new KeelRequester<>(KeelRequesterConfig.of("127.0.0.1:9091", "replies", 0),
 *     Serdes.stringSerializer(), Serdes.stringSerializer(), Serdes.stringDeserializer())) {
 *   String reply = requester.request("tasks", "k", "resize 42", Duration.ofSeconds(5)).join();
 * }
 * }</pre>
 */
public final class KeelRequester<K, V> implements AutoCloseable {
  /** Header: the id a reply is matched by. */
  public static final String CORRELATION_ID = "keel.correlation.id";

  /** Header: where to reply, {@code topic:partition}. */
  public static final String REPLY_TO = "keel.reply.to";

  /** Header: epoch ms after which nobody waits for the reply; workers skip such requests. */
  public static final String DEADLINE_MS = "keel.deadline.ms";

  /** Header on a reply: the handler failed; the value is its message. */
  public static final String ERROR = "keel.error";

  private static final Duration POLL = Duration.ofMillis(100);

  private record Pending<V>(CompletableFuture<V> future, ScheduledFuture<?> timeout) {}

  private final KeelRequesterConfig config;
  private final KeelProducer<K, V> producer;
  private final KeelConsumer<byte[], V> replies;
  private final byte[] replyTo;
  private final Semaphore room;
  private final Map<String, Pending<V>> pending = new ConcurrentHashMap<>();
  private final AtomicLong late = new AtomicLong();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("keel-requester-timer").daemon().factory());
  private final Thread replyThread;
  private volatile boolean closed;

  public KeelRequester(
      KeelRequesterConfig config,
      Serializer<K> keySerializer,
      Serializer<V> valueSerializer,
      Deserializer<V> valueDeserializer) {
    this.config = config;
    this.room = new Semaphore(config.maxOutstandingRequests());
    String bootstrap = String.join(",", config.bootstrapServers());
    this.producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(bootstrap).acks(Acks.ALL).build(),
            keySerializer,
            valueSerializer);
    this.replies =
        new KeelConsumer<>(
            KeelConsumerConfig.builder().bootstrap(bootstrap).enableAutoCommit(false).build(),
            Serdes.bytesDeserializer(),
            valueDeserializer);
    TopicPartition tp = new TopicPartition(config.replyTopic(), config.replyPartition());
    replies.assign(List.of(tp));
    replies.seekToEnd(List.of(tp));
    replies.position(tp); // resolve now: replies to requests sent after this are all seen
    this.replyTo = (tp.topic() + ":" + tp.partition()).getBytes(StandardCharsets.UTF_8);
    this.replyThread =
        Thread.ofPlatform().name("keel-requester-replies").daemon().start(this::readReplies);
  }

  /**
   * Sends {@code value} to {@code topic} (partitioned by {@code key}) and completes with the
   * reply's value; fails with {@link KeelTimeoutException} when no reply came within {@code
   * timeout}, with {@link KeelException} when the handler failed, or with {@link
   * BufferExhaustedException} when no room freed within {@code maxBlock}.
   */
  public CompletableFuture<V> request(String topic, K key, V value, Duration timeout) {
    if (closed) {
      return CompletableFuture.failedFuture(new KeelException("requester is closed"));
    }
    try {
      if (!room.tryAcquire(config.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
        return CompletableFuture.failedFuture(
            new BufferExhaustedException(
                config.maxOutstandingRequests()
                    + " requests await replies and none came within "
                    + config.maxBlock()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(new KeelException("interrupted", e));
    }
    String id = UUID.randomUUID().toString();
    CompletableFuture<V> future = new CompletableFuture<>();
    ScheduledFuture<?> expiry =
        timer.schedule(
            () ->
                fail(
                    id,
                    new KeelTimeoutException(
                        "no reply to request " + id + " on " + topic + " within " + timeout)),
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    pending.put(id, new Pending<>(future, expiry));
    future.whenComplete((v, e) -> room.release());
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    List<Header> headers =
        List.of(
            new Header(CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8)),
            new Header(REPLY_TO, replyTo),
            new Header(DEADLINE_MS, Long.toString(deadline).getBytes(StandardCharsets.UTF_8)));
    producer
        .send(new ProducerRecord<>(topic, null, key, value, headers, null))
        .whenComplete(
            (md, e) -> {
              if (e != null) {
                fail(id, e);
              }
            });
    return future;
  }

  private void fail(String id, Throwable error) {
    Pending<V> p = pending.remove(id);
    if (p != null) {
      p.future().completeExceptionally(error);
    }
  }

  private void readReplies() {
    while (!closed) {
      ConsumerRecords<byte[], V> batch;
      try {
        batch = replies.poll(POLL);
      } catch (KeelException e) {
        continue; // a retriable fetch error; the consumer refreshes and retries
      }
      for (ConsumerRecord<byte[], V> r : batch) {
        String id = header(r, CORRELATION_ID);
        Pending<V> p = id == null ? null : pending.remove(id);
        if (p == null) {
          late.incrementAndGet();
          continue;
        }
        p.timeout().cancel(false);
        String error = header(r, ERROR);
        if (error != null) {
          p.future().completeExceptionally(new KeelException("handler failed: " + error));
        } else {
          p.future().complete(r.value());
        }
      }
    }
  }

  static String header(ConsumerRecord<?, ?> r, String key) {
    for (Header h : r.headers()) {
      if (h.key().equals(key) && h.value() != null) {
        return new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Replies that arrived after their request timed out, twice, or for another requester. */
  public long lateReplies() {
    return late.get();
  }

  /** Requests awaiting a reply. */
  public int outstanding() {
    return pending.size();
  }

  @Override
  public void close() {
    closed = true;
    try {
      replyThread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pending.keySet().forEach(id -> fail(id, new KeelException("requester closed")));
    timer.shutdownNow();
    producer.close();
    replies.close();
  }
}
