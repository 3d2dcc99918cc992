package io.keel.client.internal;

import io.keel.client.AutoOffsetReset;
import io.keel.client.CorruptRecordException;
import io.keel.client.KeelException;
import io.keel.client.OffsetOutOfRangeException;
import io.keel.client.RetriableException;
import io.keel.client.TopicPartition;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.records.CorruptRecordBatchException;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps fetches in flight for the consumer's partitions and turns their responses into records in
 * offset order. At most one fetch per partition is outstanding at its position (a seek sends the
 * next at once, the stale one's answer is dropped); a node may have several, so a long poll for
 * partitions that have caught up (held up to fetch.max.wait.ms) never holds back the node's
 * partitions that still have data (with one fetch per node it did: drains stalled for
 * fetch.max.wait.ms whenever one partition reached its end first). A partition is fetched again
 * (prefetched, at the offset after its buffered records) while fewer than {@link
 * #MAX_BUFFERED_RESPONSES} of its decoded responses wait, so the next response is on its way while
 * the application works through the current one, and memory stays bounded by that many fetch sizes
 * per partition. Only a fetch at the partition's position decides errors; a prefetch's error is
 * retried after the backoff. The application thread calls everything except the gRPC callbacks,
 * which only enqueue responses.
 */
public final class Fetcher {
  private static final Logger log = LoggerFactory.getLogger(Fetcher.class);
  private static final int MAX_CORRUPT_REFETCHES = 3;
  private static final String DELIVER_AT_HEADER = "keel.deliver.at";
  // One response being returned plus one arriving: without the second, each partition waited a
  // full fetch round trip whenever poll() had returned its last buffered record.
  static final int MAX_BUFFERED_RESPONSES = 2;

  /** Settings with units in their names. */
  public record Settings(
      int fetchMaxBytes,
      int maxPartitionFetchBytes,
      int fetchMaxWaitMs,
      int fetchMinBytes,
      int requestTimeoutMs,
      long retryBackoffMs,
      AutoOffsetReset autoOffsetReset,
      boolean deliverAtGate) {}

  /**
   * Group membership a fetch proves, so the leader refuses a member that lost its partitions (a
   * zombie) with UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH.
   */
  public record Fence(String groupId, String memberId, int memberEpoch) {}

  /** One partition's part of a fetch response (or the RPC's failure). */
  private record CompletedFetch(
      TopicPartition tp, long fetchOffset, FetchPartitionResponse response, KeelException error) {}

  /** Decoded records of one fetch response not yet returned by poll(). */
  private static final class Buffered {
    final List<Record> records;
    int next;
    long nextOffset;

    Buffered(List<Record> records, long nextOffset) {
      this.records = records;
      this.nextOffset = nextOffset;
    }

    boolean hasNext() {
      return next < records.size();
    }

    /** Where the fetch after this response starts. */
    long endOffset() {
      return records.getLast().offset() + 1;
    }
  }

  private final Settings settings;
  private final MetadataManager metadata;
  private final ChannelPool channels;
  private final LinkedBlockingQueue<CompletedFetch> completed = new LinkedBlockingQueue<>();
  // Per partition, the offset its fetch in flight asked for. A seek makes that fetch stale and the
  // next one goes out at once: waiting for a long poll to return held a seek for fetch.max.wait.ms.
  private final Map<TopicPartition, Long> inFlight = new ConcurrentHashMap<>();
  // Per partition, its responses in offset order (never an empty deque).
  private final Map<TopicPartition, ArrayDeque<Buffered>> buffered = new LinkedHashMap<>();
  private final Map<TopicPartition, Integer> corruptFetches = new HashMap<>();

  public Fetcher(Settings settings, MetadataManager metadata, ChannelPool channels) {
    this.settings = settings;
    this.metadata = metadata;
    this.channels = channels;
  }

  /**
   * Sends a fetch to every leader that has fetchable partitions and no fetch in flight; {@code
   * fence} is null outside a group.
   */
  public void sendFetches(SubscriptionState subscriptions, Fence fence, long nowMs) {
    ClusterSnapshot snapshot = metadata.current();
    Map<Integer, List<FetchPartition>> byNode = new HashMap<>();
    for (TopicPartition tp : subscriptions.fetchable(nowMs)) {
      if (bufferedResponses(tp) >= MAX_BUFFERED_RESPONSES) {
        continue;
      }
      long offset = nextFetchOffset(subscriptions, tp);
      if (Long.valueOf(offset).equals(inFlight.get(tp))) {
        continue;
      }
      int leader = snapshot.leaderId(tp);
      if (leader == 0) {
        metadata.requestUpdate();
        continue;
      }
      byNode
          .computeIfAbsent(leader, k -> new ArrayList<>())
          .add(
              FetchPartition.newBuilder()
                  .setTopic(tp.topic())
                  .setPartition(tp.partition())
                  .setFetchOffset(offset)
                  .setPartitionMaxBytes(settings.maxPartitionFetchBytes())
                  .setCurrentLeaderEpoch(-1)
                  .build());
    }
    byNode.forEach((node, partitions) -> send(node, snapshot.address(node), partitions, fence));
  }

  private int bufferedResponses(TopicPartition tp) {
    ArrayDeque<Buffered> queue = buffered.get(tp);
    return queue == null ? 0 : queue.size();
  }

  /** The position, or after the buffered records when some wait (a prefetch). */
  private long nextFetchOffset(SubscriptionState subscriptions, TopicPartition tp) {
    ArrayDeque<Buffered> queue = buffered.get(tp);
    return queue == null ? subscriptions.position(tp) : queue.getLast().endOffset();
  }

  private void send(int node, HostPort address, List<FetchPartition> partitions, Fence fence) {
    FetchRequest.Builder builder =
        FetchRequest.newBuilder()
            .setMaxWaitMs(settings.fetchMaxWaitMs())
            .setMinBytes(settings.fetchMinBytes())
            .setMaxBytes(settings.fetchMaxBytes())
            .addAllPartitions(partitions);
    if (fence != null) {
      builder
          .setGroupId(fence.groupId())
          .setMemberId(fence.memberId())
          .setMemberEpoch(fence.memberEpoch());
    }
    FetchRequest request = builder.build();
    partitions.forEach(p -> inFlight.put(tp(p.getTopic(), p.getPartition()), p.getFetchOffset()));
    long timeoutMs = (long) settings.requestTimeoutMs() + settings.fetchMaxWaitMs();
    Futures.of(channels.stub(address, timeoutMs).fetch(request))
        .whenComplete((response, error) -> onResponse(node, partitions, response, error));
  }

  private void onResponse(
      int node, List<FetchPartition> requested, FetchResponse response, Throwable error) {
    Map<TopicPartition, FetchPartitionResponse> byPartition = new HashMap<>();
    KeelException failure = null;
    if (error != null) {
      failure = Errors.fromRpcFailure(error, "fetch from node " + node);
    } else if (Errors.isError(response.getError())) {
      failure = Errors.toException(response.getError(), "fetch from node " + node);
    } else {
      response
          .getPartitionsList()
          .forEach(p -> byPartition.put(tp(p.getTopic(), p.getPartition()), p));
    }
    // Clear the in-flight marks first: once poll() sees a response it must be free to send the
    // next fetch. A stale fetch's answer leaves the mark of the fetch that replaced it.
    requested.forEach(p -> inFlight.remove(tp(p.getTopic(), p.getPartition()), p.getFetchOffset()));
    for (FetchPartition p : requested) {
      TopicPartition tp = tp(p.getTopic(), p.getPartition());
      FetchPartitionResponse r = byPartition.get(tp);
      KeelException e =
          failure != null || r != null
              ? failure
              : new RetriableException("node " + node + " did not answer for " + tp);
      completed.add(new CompletedFetch(tp, p.getFetchOffset(), r, e));
    }
  }

  /** Waits up to {@code timeoutMs} for a fetch response to arrive. */
  public void awaitResponse(long timeoutMs) throws InterruptedException {
    CompletedFetch next = completed.poll(timeoutMs, TimeUnit.MILLISECONDS);
    if (next != null) {
      completed.add(next); // at most one per partition is queued, so requeueing keeps order
    }
  }

  /**
   * Returns up to {@code maxRecords} records at the partitions' positions, advancing them. Throws
   * the first fatal error a response carried ({@link OffsetOutOfRangeException} with
   * auto.offset.reset=none, corrupt data that refetching did not fix, ...).
   */
  public Map<TopicPartition, List<Record>> collect(
      SubscriptionState subscriptions, int maxRecords, long nowMs) {
    CompletedFetch cf;
    while ((cf = completed.poll()) != null) {
      handle(subscriptions, cf, nowMs);
    }
    Map<TopicPartition, List<Record>> out = new LinkedHashMap<>();
    int taken = 0;
    Iterator<Map.Entry<TopicPartition, ArrayDeque<Buffered>>> it = buffered.entrySet().iterator();
    while (it.hasNext() && taken < maxRecords) {
      Map.Entry<TopicPartition, ArrayDeque<Buffered>> e = it.next();
      TopicPartition tp = e.getKey();
      ArrayDeque<Buffered> queue = e.getValue();
      if (!subscriptions.isAssigned(tp)
          || !Long.valueOf(queue.getFirst().nextOffset).equals(subscriptions.position(tp))) {
        it.remove(); // unassigned, or the application seeked: these records are stale
        continue;
      }
      if (subscriptions.isPaused(tp)) {
        continue;
      }
      List<Record> into = out.computeIfAbsent(tp, k -> new ArrayList<>());
      while (!queue.isEmpty() && taken < maxRecords) {
        Buffered b = queue.getFirst();
        int n = take(b, maxRecords - taken, into, nowMs);
        taken += n;
        subscriptions.seek(tp, b.nextOffset);
        if (b.hasNext()) {
          break; // max.poll.records reached, or the deliver-at gate holds the rest back
        }
        queue.removeFirst();
      }
      if (queue.isEmpty()) {
        it.remove();
      }
    }
    out.values().removeIf(List::isEmpty);
    return out;
  }

  /** Takes up to {@code max} records, stopping at one the deliver-at gate holds back. */
  private int take(Buffered b, int max, List<Record> into, long nowMs) {
    int n = 0;
    while (n < max && b.hasNext()) {
      Record r = b.records.get(b.next);
      if (settings.deliverAtGate() && deliverAtMs(r) > nowMs) {
        break; // not due: it and the records after it wait in the buffer
      }
      b.next++;
      into.add(r);
      b.nextOffset = r.offset() + 1;
      n++;
    }
    return n;
  }

  /** The record's keel.deliver.at time, or 0 when it has none (or a malformed one, as brokers). */
  private static long deliverAtMs(Record r) {
    for (io.keel.proto.records.Header h : r.headers()) {
      if (h.key().equals(DELIVER_AT_HEADER) && h.value() != null) {
        try {
          return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private void handle(SubscriptionState subscriptions, CompletedFetch cf, long nowMs) {
    TopicPartition tp = cf.tp();
    if (!subscriptions.isAssigned(tp)
        || subscriptions.position(tp) == null
        || cf.fetchOffset() != nextFetchOffset(subscriptions, tp)) {
      return; // stale: unassigned or seeked while the fetch was in flight
    }
    boolean prefetch = buffered.containsKey(tp);
    if (prefetch && (cf.error() != null || cf.response().getError().getCode() != ErrorCode.NONE)) {
      // Decided once the fetch is at the position: the buffered records come first.
      subscriptions.backOff(tp, nowMs + settings.retryBackoffMs());
      return;
    }
    if (cf.error() != null) {
      retryLater(subscriptions, tp, cf.error(), nowMs);
      return;
    }
    FetchPartitionResponse r = cf.response();
    ErrorCode code = r.getError().getCode();
    switch (code) {
      case NONE -> accept(subscriptions, tp, cf.fetchOffset(), r, nowMs);
      case OFFSET_OUT_OF_RANGE -> outOfRange(subscriptions, tp, cf.fetchOffset(), r);
      default -> {
        KeelException e = Errors.toException(r.getError(), tp);
        if (!(e instanceof RetriableException) && !Errors.needsMetadataRefresh(code)) {
          throw e;
        }
        retryLater(subscriptions, tp, e, nowMs);
      }
    }
  }

  private void retryLater(
      SubscriptionState subscriptions, TopicPartition tp, KeelException e, long nowMs) {
    log.debug("fetch of {} failed, retrying: {}", tp, e.getMessage());
    metadata.requestUpdate();
    subscriptions.backOff(tp, nowMs + settings.retryBackoffMs());
  }

  private void outOfRange(
      SubscriptionState subscriptions, TopicPartition tp, long offset, FetchPartitionResponse r) {
    if (settings.autoOffsetReset() == AutoOffsetReset.NONE) {
      throw new OffsetOutOfRangeException(
          tp,
          offset,
          "offset "
              + offset
              + " of "
              + tp
              + " is out of range [log start "
              + r.getLogStartOffset()
              + ", high watermark "
              + r.getHighWatermark()
              + "] and auto.offset.reset=none");
    }
    log.info(
        "offset {} of {} out of range; resetting to {}", offset, tp, settings.autoOffsetReset());
    subscriptions.requestReset(tp, settings.autoOffsetReset());
  }

  private void accept(
      SubscriptionState subscriptions,
      TopicPartition tp,
      long fetchOffset,
      FetchPartitionResponse r,
      long nowMs) {
    subscriptions.setHighWatermark(tp, r.getHighWatermark());
    List<Record> records = new ArrayList<>();
    try {
      for (var bytes : r.getRecordBatchesList()) {
        // Read where the response's parse put it: toByteArray copied every batch once more.
        RecordBatch batch = RecordBatch.decode(ByteStrings.view(bytes), RecordBatchLimits.DEFAULTS);
        for (Record record : batch.records()) {
          if (record.offset() >= fetchOffset) {
            records.add(record);
          }
        }
      }
    } catch (CorruptRecordBatchException e) {
      if (buffered.containsKey(tp)) {
        subscriptions.backOff(tp, nowMs + settings.retryBackoffMs()); // a prefetch: see handle()
        return;
      }
      int attempts = corruptFetches.merge(tp, 1, Integer::sum);
      String message = "corrupt batch from " + tp + " at offset >= " + fetchOffset + ": " + e;
      if (attempts > MAX_CORRUPT_REFETCHES) {
        corruptFetches.remove(tp);
        throw new CorruptRecordException(message + " (after " + attempts + " fetches)", e);
      }
      retryLater(subscriptions, tp, new CorruptRecordException(message, e), nowMs);
      return;
    }
    corruptFetches.remove(tp);
    if (!records.isEmpty()) {
      buffered
          .computeIfAbsent(tp, k -> new ArrayDeque<>())
          .addLast(new Buffered(records, fetchOffset));
    }
  }

  /** Drops buffered records of partitions no longer assigned (after a rebalance or assign). */
  public void retainOnly(Set<TopicPartition> assignment) {
    buffered.keySet().retainAll(assignment);
  }

  public boolean hasBufferedRecords() {
    return !buffered.isEmpty() || !completed.isEmpty();
  }

  private static TopicPartition tp(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }
}
