package io.keel.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of {@link KeelRequester}: consumes requests as a member of a consumer group,
 * hands each to the handler, sends the reply to the request's reply address, and commits only after
 * every reply of a poll is acknowledged. A worker that crashes before committing has its requests
 * redelivered to another worker, so no reply is lost (a request may be handled twice; the requester
 * drops the second reply). Requests past their deadline are skipped. A handler that throws gets an
 * error reply. {@link #run()} loops on the calling thread until {@link #close()}; an Error escaping
 * the handler ends it like a crash (nothing more is committed).
 */
public final class KeelResponder<K, V> implements AutoCloseable, Runnable {
  private static final Logger log = LoggerFactory.getLogger(KeelResponder.class);

  private final KeelResponderConfig config;
  private final KeelConsumer<K, V> requests;
  private final KeelProducer<K, V> replies;
  private final Function<ConsumerRecord<K, V>, V> handler;
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private volatile boolean closed;

  public KeelResponder(
      KeelResponderConfig config,
      Serializer<K> keySerializer,
      Deserializer<K> keyDeserializer,
      Serializer<V> valueSerializer,
      Deserializer<V> valueDeserializer,
      Function<ConsumerRecord<K, V>, V> handler) {
    this.config = config;
    this.handler = handler;
    String bootstrap = String.join(",", config.bootstrapServers());
    this.requests =
        new KeelConsumer<>(
            KeelConsumerConfig.builder()
                .bootstrap(bootstrap)
                .groupId(config.groupId())
                .enableAutoCommit(false)
                .autoOffsetReset(AutoOffsetReset.EARLIEST)
                .build(),
            keyDeserializer,
            valueDeserializer);
    this.replies =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(bootstrap).acks(Acks.ALL).build(),
            keySerializer,
            valueSerializer);
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      requests.close(); // no commit here: unreplied requests go to the next owner
      replies.close();
    }
  }

  private void loop() {
    requests.subscribe(config.requestTopics());
    while (!closed) {
      ConsumerRecords<K, V> batch = requests.poll(config.pollTimeout());
      if (batch.isEmpty() || closed) {
        continue;
      }
      List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
      for (ConsumerRecord<K, V> request : batch) {
        if (closed) {
          return; // stop without committing: what was not replied to is redelivered
        }
        respond(request, sent);
      }
      // Commit after the replies are durable: a crash before this line redelivers the batch.
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      requests.commitSync();
    }
  }

  private void respond(ConsumerRecord<K, V> request, List<CompletableFuture<RecordMetadata>> sent) {
    String id = KeelRequester.header(request, KeelRequester.CORRELATION_ID);
    String replyTo = KeelRequester.header(request, KeelRequester.REPLY_TO);
    int colon = replyTo == null ? -1 : replyTo.lastIndexOf(':');
    if (id == null || colon <= 0) {
      log.warn(
          "request {}@{} has no reply address; skipped", request.partition(), request.offset());
      return;
    }
    String deadline = KeelRequester.header(request, KeelRequester.DEADLINE_MS);
    if (deadline != null && Long.parseLong(deadline) < System.currentTimeMillis()) {
      expired.incrementAndGet();
      return; // nobody waits for this reply any more
    }
    List<Header> headers = new ArrayList<>();
    headers.add(new Header(KeelRequester.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8)));
    V reply = null;
    try {
      reply = handler.apply(request);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      headers.add(new Header(KeelRequester.ERROR, message.getBytes(StandardCharsets.UTF_8)));
    }
    int partition = Integer.parseInt(replyTo.substring(colon + 1));
    sent.add(
        replies.send(
            new ProducerRecord<>(
                replyTo.substring(0, colon), partition, request.key(), reply, headers, null)));
    handled.incrementAndGet();
  }

  /** Requests handled (replied to) so far. */
  public long handled() {
    return handled.get();
  }

  /** Requests skipped because their deadline had passed. */
  public long expired() {
    return expired.get();
  }

  /**
   * Asks {@link #run()} to stop after the request in hand; it commits only what it replied to, then
   * leaves the group and closes its clients.
   */
  @Override
  public void close() {
    closed = true;
  }
}
