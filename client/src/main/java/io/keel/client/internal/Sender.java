package io.keel.client.internal;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.OutOfOrderSequenceException;
import io.keel.client.ProducerFencedException;
import io.keel.client.RetriableException;
import io.keel.client.TopicPartition;
import io.keel.client.internal.RecordAccumulator.PartitionState;
import io.keel.proto.ErrorCode;
import io.keel.proto.InitProducerIdRequest;
import io.keel.proto.InitProducerIdResponse;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.proto.ProduceStreamResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's I/O thread. It alone drains batches, assigns sequences, sends Produce requests and
 * handles their responses (gRPC callbacks only enqueue work for it), so the idempotence bookkeeping
 * needs no further locking than the accumulator's.
 *
 * <p>Ordering: requests go over one {@link ProduceStreams ProduceStream} per node, whose requests
 * the node starts in send order, so batches in flight together are stored in send order even
 * without idempotence. A partition has at most max.in.flight batches outstanding. A retriable
 * failure puts the batch back at the head of its partition's queue; with idempotence, it is resent
 * with the same sequence only after every batch sent before it has been answered, so the broker
 * sees sequences in order and dedups any that were already written.
 */
public final class Sender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Sender.class);
  private static final long IDLE_WAKE_MS = 100;
  // A produce unanswered this long may sit at a node that stopped answering: about the brokers'
  // default minimum election timeout (raft.tick.ms 50 x raft.election.ticks 6), after which a new
  // leader can exist.
  static final long OVERDUE_MS = 300;
  // While a request is overdue, metadata is refreshed this often to find the new leader.
  private static final long OVERDUE_REFRESH_MS = 100;

  private final ProducerSettings settings;
  private final RecordAccumulator accumulator;
  private final MetadataManager metadata;
  private final ChannelPool channels;
  private final BufferPool pool;
  private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
  private volatile boolean running = true;
  // flush() callers and close() in progress: send without lingering while positive.
  private final java.util.concurrent.atomic.AtomicInteger draining =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile KeelException fatal;
  // Sender-thread state.
  private ProducerIdentity identity;
  private boolean producerIdRequestInFlight;
  private long producerIdRetryAtMs;
  // Record futures to complete once the accumulator lock is released: a user callback may call
  // send(), which must not run under the sender's lock.
  private final List<Runnable> completions = new ArrayList<>();
  // Produce requests awaiting their answer, by request id; sender thread only.
  private final Map<Long, SentRequest> outstanding = new HashMap<>();
  private long nextRequestId;
  private long overdueRefreshAtMs;
  private final ProduceStreams streams;

  private record ProducerIdentity(long producerId, short epoch) {}

  /**
   * A produce request in flight: its node, when it left, the leader epochs it was sent under, and
   * the stream that carries it (null: a unary call, which {@code cancel} cancels).
   */
  private record SentRequest(
      int nodeId,
      List<ProducerBatch> batches,
      long sentAtMs,
      Map<TopicPartition, Long> epochs,
      ProduceStreams.Stream stream,
      Runnable cancel) {}

  public Sender(
      ProducerSettings settings,
      RecordAccumulator accumulator,
      MetadataManager metadata,
      ChannelPool channels,
      BufferPool pool) {
    this.settings = settings;
    this.accumulator = accumulator;
    this.metadata = metadata;
    this.channels = channels;
    this.pool = pool;
    this.streams =
        new ProduceStreams(
            channels,
            new ProduceStreams.Listener() {
              @Override
              public void onResponse(ProduceStreams.Stream stream, ProduceStreamResponse r) {
                inbox.offer(() -> onStreamResponse(r));
              }

              @Override
              public void onBroken(ProduceStreams.Stream stream, Throwable error) {
                inbox.offer(() -> onStreamBroken(stream, error));
              }
            });
  }

  public void wakeup() {
    inbox.offer(() -> {});
  }

  public void beginDrain() {
    draining.incrementAndGet();
    wakeup();
  }

  public void endDrain() {
    draining.decrementAndGet();
  }

  /** Set when the producer can no longer write (fenced); send() then fails at once. */
  public KeelException fatalError() {
    return fatal;
  }

  /** Stops the loop; batches still unacknowledged then fail. */
  public void stop() {
    running = false;
    wakeup();
  }

  @Override
  public void run() {
    try {
      while (running) {
        long waitMs = runOnce(System.currentTimeMillis());
        Runnable task = inbox.poll(waitMs, TimeUnit.MILLISECONDS);
        while (task != null) {
          task.run();
          task = inbox.poll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("producer sender failed", e);
      fatal = new KeelException("producer sender thread failed: " + e, e);
    }
    failAll(
        fatal != null ? fatal : new KeelException("producer closed before the record was sent"));
    streams.close();
  }

  /** One pass: metadata, producer id, expiry, drain and send. Returns how long to wait. */
  long runOnce(long nowMs) {
    var update = metadata.maybeUpdate(nowMs);
    if (update != null) {
      update.whenComplete((s, e) -> wakeup());
    }
    boolean needsProducerId = settings.idempotence() && identity == null;
    if (needsProducerId) {
      maybeRequestProducerId(nowMs, null);
    }
    ClusterSnapshot snapshot = metadata.current();
    abandonMovedRequests(snapshot, nowMs);
    Map<Integer, List<ProducerBatch>> ready = new HashMap<>();
    long wakeAtMs = nowMs + (needsProducerId ? settings.retryBackoffMs() : IDLE_WAKE_MS);
    accumulator.lock.lock();
    try {
      for (Map.Entry<TopicPartition, PartitionState> e : accumulator.partitions.entrySet()) {
        // Expire even while the producer id is pending, so send() futures stay bounded.
        expire(e.getValue(), nowMs);
        if (!needsProducerId) {
          long next = drainPartition(e.getKey(), e.getValue(), snapshot, nowMs, ready);
          wakeAtMs = Math.min(wakeAtMs, next);
        }
      }
    } finally {
      accumulator.lock.unlock();
    }
    runCompletions();
    ready.forEach((node, batches) -> send(snapshot, node, batches));
    return ready.isEmpty() ? Math.max(0, wakeAtMs - nowMs) : 0;
  }

  /** Drains at most one batch of {@code tp} into {@code ready}; returns when to look again. */
  private long drainPartition(
      TopicPartition tp,
      PartitionState state,
      ClusterSnapshot snapshot,
      long nowMs,
      Map<Integer, List<ProducerBatch>> ready) {
    long never = Long.MAX_VALUE;
    ProducerBatch head = state.queue.peekFirst();
    if (head == null || !maybeResetSequences(state, nowMs)) {
      return never;
    }
    int leader = snapshot.leaderId(tp);
    if (leader == 0) {
      metadata.requestUpdate();
      return nowMs + settings.retryBackoffMs();
    }
    boolean orderedRetry = settings.idempotence() && head.isRetry() && !state.inFlight.isEmpty();
    if (orderedRetry || state.inFlight.size() >= settings.maxInFlightPerPartition()) {
      return never; // a response wakes us
    }
    if (head.isRetry() && head.retryAtMs() > nowMs) {
      return head.retryAtMs();
    }
    long lingerUntil = head.createdMs() + settings.lingerMs();
    boolean sendable =
        head.isFull()
            || head.isRetry()
            || state.queue.size() > 1
            || draining.get() > 0
            || pool.hasWaiters()
            || nowMs >= lingerUntil;
    if (!sendable) {
      return lingerUntil;
    }
    state.queue.pollFirst();
    head.markFull();
    try {
      encode(state, head);
    } catch (KeelException e) {
      finishFailed(state, head, e);
      return nowMs;
    }
    head.markSent(!state.inFlight.isEmpty());
    state.inFlight.add(head);
    ready.computeIfAbsent(leader, k -> new ArrayList<>()).add(head);
    return never;
  }

  private void encode(PartitionState state, ProducerBatch batch) {
    if (!settings.idempotence()) {
      batch.encode(-1, (short) -1, -1);
      return;
    }
    if (state.producerId < 0) {
      state.producerId = identity.producerId();
      state.producerEpoch = identity.epoch();
    }
    if (!batch.hasSequence()) {
      int sequence = state.nextSequence;
      batch.encode(state.producerId, state.producerEpoch, sequence);
      state.nextSequence += batch.recordCount();
    }
  }

  /**
   * Returns true when the partition may send. After a sequenced batch failed for good, waits for
   * the partition's in-flight batches, then moves it to a fresh producer id from sequence 0.
   */
  private boolean maybeResetSequences(PartitionState state, long nowMs) {
    if (!state.sequenceResetPending) {
      return true;
    }
    if (!state.inFlight.isEmpty()) {
      return false;
    }
    maybeRequestProducerId(nowMs, state);
    return false;
  }

  private void expire(PartitionState state, long nowMs) {
    Iterator<ProducerBatch> it = state.queue.iterator();
    while (it.hasNext()) {
      ProducerBatch batch = it.next();
      if (nowMs - batch.createdMs() >= settings.deliveryTimeoutMs()) {
        it.remove();
        finishFailed(state, batch, expiredError(batch, batch.lastError()));
      }
    }
  }

  private KeelTimeoutException expiredError(ProducerBatch batch, KeelException last) {
    return new KeelTimeoutException(
        "expired "
            + batch.recordCount()
            + " record(s) for "
            + batch.partition()
            + ": not acknowledged within delivery.timeout.ms="
            + settings.deliveryTimeoutMs()
            + " after "
            + batch.attempts()
            + " retries"
            + (last == null ? "" : "; last error: " + last.getMessage()),
        last);
  }

  /**
   * A request to a node that stopped answering (paused, cut off) would hold its batches until
   * request.timeout.ms. While one is older than {@link #OVERDUE_MS}, metadata is refreshed every
   * {@link #OVERDUE_REFRESH_MS}; a request with a partition now led elsewhere in a newer epoch is
   * abandoned, and its batches retried at the new leader at once with the same sequences (which
   * deduplicates any the old leader had replicated before it stopped).
   */
  private void abandonMovedRequests(ClusterSnapshot snapshot, long nowMs) {
    List<Long> moved = new ArrayList<>();
    boolean overdue = false;
    List<ProduceStreams.Stream> timedOut = new ArrayList<>();
    for (Map.Entry<Long, SentRequest> e : outstanding.entrySet()) {
      SentRequest sent = e.getValue();
      overdue |= nowMs - sent.sentAtMs() >= OVERDUE_MS;
      if (sent.stream() != null && nowMs - sent.sentAtMs() >= settings.requestTimeoutMs()) {
        timedOut.add(sent.stream());
      }
      for (Map.Entry<TopicPartition, Long> p : sent.epochs().entrySet()) {
        int leader = snapshot.leaderId(p.getKey());
        if (leader != 0
            && leader != sent.nodeId()
            && snapshot.leaderEpoch(p.getKey()) > p.getValue()) {
          moved.add(e.getKey());
          break;
        }
      }
    }
    if (overdue && nowMs >= overdueRefreshAtMs) {
      overdueRefreshAtMs = nowMs + OVERDUE_REFRESH_MS;
      metadata.requestUpdate();
    }
    // A stream's request past request.timeout.ms is what a unary call's deadline was: the stream
    // and every request on it fail (retriable), and the next request opens a new stream.
    for (ProduceStreams.Stream stream : timedOut) {
      streams.cancel(stream, "request.timeout.ms passed");
      failStreamRequests(
          stream,
          Status.DEADLINE_EXCEEDED
              .withDescription("no answer within request.timeout.ms=" + settings.requestTimeoutMs())
              .asRuntimeException());
    }
    for (long id : moved) {
      SentRequest sent = outstanding.remove(id);
      if (sent == null) {
        continue; // failed above with its timed-out stream
      }
      sent.cancel().run();
      KeelException e =
          new RetriableException(
              "node " + sent.nodeId() + " did not answer; its partitions have a newer leader");
      for (ProducerBatch batch : sent.batches()) {
        onFailure(batch, e, true, nowMs, 0);
      }
    }
  }

  private void send(ClusterSnapshot snapshot, int nodeId, List<ProducerBatch> batches) {
    List<ProducerBatch> chunk = new ArrayList<>();
    long chunkBytes = 0;
    for (ProducerBatch batch : batches) {
      int size = batch.encoded().length;
      if (!chunk.isEmpty() && chunkBytes + size > settings.maxRequestSizeBytes()) {
        sendRequest(snapshot, nodeId, chunk);
        chunk = new ArrayList<>();
        chunkBytes = 0;
      }
      chunk.add(batch);
      chunkBytes += size;
    }
    sendRequest(snapshot, nodeId, chunk);
  }

  private void sendRequest(ClusterSnapshot snapshot, int nodeId, List<ProducerBatch> batches) {
    HostPort address = snapshot.address(nodeId);
    ProduceRequest.Builder request =
        ProduceRequest.newBuilder()
            .setAcks(settings.acks())
            .setTimeoutMs(settings.requestTimeoutMs());
    for (ProducerBatch batch : batches) {
      request.addPartitions(
          ProducePartitionData.newBuilder()
              .setTopic(batch.partition().topic())
              .setPartition(batch.partition().partition())
              .setRecordBatch(
                  com.google.protobuf.UnsafeByteOperations.unsafeWrap(batch.encoded())));
    }
    Map<TopicPartition, Long> epochs = new HashMap<>();
    batches.forEach(b -> epochs.put(b.partition(), snapshot.leaderEpoch(b.partition())));
    long id = nextRequestId++;
    long nowMs = System.currentTimeMillis();
    if (streams.supported(nodeId)) {
      try {
        ProduceStreams.Stream stream = streams.to(nodeId, address);
        outstanding.put(id, new SentRequest(nodeId, batches, nowMs, epochs, stream, () -> {}));
        stream.send(id, request.build());
      } catch (RuntimeException e) {
        outstanding.remove(id);
        inbox.offer(() -> handleResponse(nodeId, batches, null, e));
      }
      return;
    }
    try {
      ListenableFuture<ProduceResponse> call =
          channels.stub(address, settings.requestTimeoutMs()).produce(request.build());
      outstanding.put(
          id, new SentRequest(nodeId, batches, nowMs, epochs, null, () -> call.cancel(false)));
      Futures.of(call)
          .whenComplete(
              (response, error) ->
                  inbox.offer(
                      () -> {
                        // Absent: abandoned, its batches already retried elsewhere.
                        if (outstanding.remove(id) != null) {
                          handleResponse(nodeId, batches, response, error);
                        }
                      }));
    } catch (RuntimeException e) {
      inbox.offer(() -> handleResponse(nodeId, batches, null, e));
    }
  }

  private void onStreamResponse(ProduceStreamResponse r) {
    // Absent: abandoned (retried elsewhere) or failed with its timed-out stream.
    SentRequest sent = outstanding.remove(r.getRequestId());
    if (sent != null) {
      handleResponse(sent.nodeId(), sent.batches(), r.getResponse(), null);
    }
  }

  private void onStreamBroken(ProduceStreams.Stream stream, Throwable error) {
    streams.onBroken(stream, error);
    if (!streams.supported(stream.nodeId)) {
      log.debug("node {} does not serve ProduceStream; using unary Produce", stream.nodeId);
      failStreamRequests(
          stream,
          Status.UNAVAILABLE
              .withDescription("ProduceStream not served; resending as unary Produce")
              .asRuntimeException());
      return;
    }
    failStreamRequests(stream, error);
  }

  /** Fails every request still awaiting its answer on {@code stream}, in send order. */
  private void failStreamRequests(ProduceStreams.Stream stream, Throwable error) {
    List<Long> ids = new ArrayList<>();
    outstanding.forEach(
        (id, sent) -> {
          if (sent.stream() == stream) {
            ids.add(id);
          }
        });
    ids.sort(null);
    for (long id : ids) {
      SentRequest sent = outstanding.remove(id);
      handleResponse(sent.nodeId(), sent.batches(), null, error);
    }
  }

  private void handleResponse(
      int nodeId, List<ProducerBatch> batches, ProduceResponse response, Throwable error) {
    long nowMs = System.currentTimeMillis();
    if (error != null) {
      KeelException e = Errors.fromRpcFailure(error, "produce to node " + nodeId);
      metadata.requestUpdate();
      for (ProducerBatch batch : batches) {
        onFailure(batch, e, e instanceof RetriableException, nowMs, settings.retryBackoffMs());
      }
      return;
    }
    Map<TopicPartition, ProducePartitionResponse> byPartition = new HashMap<>();
    for (ProducePartitionResponse r : response.getPartitionsList()) {
      byPartition.put(new TopicPartition(r.getTopic(), r.getPartition()), r);
    }
    for (ProducerBatch batch : batches) {
      handlePartitionResponse(nodeId, batch, byPartition.get(batch.partition()), nowMs);
    }
  }

  private void handlePartitionResponse(
      int nodeId, ProducerBatch batch, ProducePartitionResponse r, long nowMs) {
    if (r == null) {
      onFailure(
          batch,
          new RetriableException("node " + nodeId + " did not answer for " + batch.partition()),
          true,
          nowMs,
          settings.retryBackoffMs());
      return;
    }
    ErrorCode code = r.getError().getCode();
    if (code == ErrorCode.NONE || code == ErrorCode.DUPLICATE_SEQUENCE) {
      onSuccess(batch, settings.acks() == 0 ? -1 : r.getBaseOffset());
      return;
    }
    // A hint naming the new leader is taken at once, and the batch goes there without backoff.
    boolean moved =
        code == ErrorCode.NOT_LEADER
            && metadata.onNotLeader(batch.partition(), nodeId, r.getError().getLeader());
    if (Errors.needsMetadataRefresh(code)) {
      metadata.requestUpdate();
    }
    KeelException e = Errors.toException(r.getError(), batch.partition());
    // The leader may not know a just-created partition yet: retry until delivery.timeout.ms.
    boolean retriable =
        e instanceof RetriableException || code == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    onFailure(batch, e, retriable, nowMs, moved ? 0 : settings.retryBackoffMs());
  }

  private void onSuccess(ProducerBatch batch, long baseOffset) {
    accumulator.lock.lock();
    try {
      PartitionState state = accumulator.partitions.get(batch.partition());
      state.inFlight.remove(batch);
      finish(batch);
      completions.add(() -> batch.complete(baseOffset));
    } finally {
      accumulator.lock.unlock();
    }
    runCompletions();
  }

  private void onFailure(
      ProducerBatch batch, KeelException e, boolean retriable, long nowMs, long backoffMs) {
    accumulator.lock.lock();
    try {
      PartitionState state = accumulator.partitions.get(batch.partition());
      state.inFlight.remove(batch);
      boolean retry =
          retriable
              || state.sequenceResetPending
              || (e instanceof OutOfOrderSequenceException
                  && (batch.sentBehindOthers() || hasEarlierUnresolved(state, batch)));
      boolean expired = nowMs - batch.createdMs() >= settings.deliveryTimeoutMs();
      if (retry && !expired && running) {
        log.debug(
            "retrying batch {} seq {} of {}: {}",
            batch.id(),
            batch.baseSequence(),
            batch.partition(),
            e.getMessage());
        batch.scheduleRetry(nowMs + backoffMs, e);
        RecordAccumulator.reinsert(state, batch);
        return;
      }
      if (e instanceof ProducerFencedException) {
        fatal = e;
      }
      finishFailed(state, batch, retry && expired ? expiredError(batch, e) : e);
    } finally {
      accumulator.lock.unlock();
    }
    runCompletions();
  }

  /** An earlier batch of the partition is still unanswered or awaiting its retry. */
  private static boolean hasEarlierUnresolved(PartitionState state, ProducerBatch batch) {
    for (ProducerBatch b : state.inFlight) {
      if (b.id() < batch.id()) {
        return true;
      }
    }
    ProducerBatch head = state.queue.peekFirst();
    return head != null && head.id() < batch.id() && head.hasSequence();
  }

  private void finishFailed(PartitionState state, ProducerBatch batch, KeelException e) {
    if (settings.idempotence() && batch.hasSequence()) {
      state.sequenceResetPending = true;
    }
    finish(batch);
    completions.add(() -> batch.fail(e));
  }

  private void runCompletions() {
    for (Runnable completion : completions) {
      completion.run();
    }
    completions.clear();
  }

  private void finish(ProducerBatch batch) {
    accumulator.forget(batch);
    pool.release(batch.reservedBytes());
  }

  /**
   * Requests a producer id: the producer's first ({@code forPartition} null) or a fresh one for a
   * partition whose sequences must restart.
   */
  private void maybeRequestProducerId(long nowMs, PartitionState forPartition) {
    if (producerIdRequestInFlight || nowMs < producerIdRetryAtMs) {
      return;
    }
    List<HostPort> nodes = new ArrayList<>(metadata.current().nodes().values());
    if (nodes.isEmpty()) {
      metadata.requestUpdate();
      return;
    }
    HostPort node = nodes.get(Math.floorMod(nowMs, nodes.size()));
    producerIdRequestInFlight = true;
    InitProducerIdRequest request =
        InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build();
    Futures.of(channels.stub(node, settings.requestTimeoutMs()).initProducerId(request))
        .whenComplete(
            (response, error) -> inbox.offer(() -> onProducerId(forPartition, response, error)));
  }

  private void onProducerId(
      PartitionState forPartition, InitProducerIdResponse response, Throwable error) {
    producerIdRequestInFlight = false;
    KeelException e =
        error != null
            ? Errors.fromRpcFailure(error, "InitProducerId")
            : Errors.isError(response.getError())
                ? Errors.toException(response.getError(), "InitProducerId")
                : null;
    if (e != null) {
      if (e instanceof RetriableException) {
        log.debug("InitProducerId failed, retrying: {}", e.getMessage());
      } else {
        log.warn("InitProducerId failed, retrying: {}", e.getMessage());
      }
      producerIdRetryAtMs = System.currentTimeMillis() + settings.retryBackoffMs();
      metadata.requestUpdate();
      return;
    }
    ProducerIdentity fresh =
        new ProducerIdentity(response.getProducerId(), (short) response.getProducerEpoch());
    if (forPartition == null) {
      identity = fresh;
      return;
    }
    accumulator.lock.lock();
    try {
      forPartition.producerId = fresh.producerId();
      forPartition.producerEpoch = fresh.epoch();
      forPartition.nextSequence = 0;
      forPartition.sequenceResetPending = false;
      forPartition.queue.forEach(ProducerBatch::clearSequence);
    } finally {
      accumulator.lock.unlock();
    }
  }

  private void failAll(KeelException e) {
    accumulator.lock.lock();
    try {
      for (PartitionState state : accumulator.partitions.values()) {
        state.queue.forEach(batch -> finishFailed(state, batch, e));
        state.queue.clear();
        state.inFlight.forEach(batch -> finishFailed(state, batch, e));
        state.inFlight.clear();
      }
    } finally {
      accumulator.lock.unlock();
    }
    runCompletions();
  }
}
