package io.keel.client.internal;

import io.keel.client.RecordMetadata;
import io.keel.client.TopicPartition;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.Header;
import io.keel.proto.records.RecordBatchLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-partition queues of batches. send() callers append; the sender drains, and puts failed
 * batches back in creation order so a partition's records stay ordered across retries. One lock
 * guards every partition's state: appends are short and the sender holds it only to drain.
 */
public final class RecordAccumulator {
  /** Everything the producer tracks about one partition; guarded by {@link #lock}. */
  static final class PartitionState {
    // Undrained batches and batches awaiting retry, ordered by batch id.
    final ArrayDeque<ProducerBatch> queue = new ArrayDeque<>();
    // Sent and unanswered, ordered by batch id.
    final List<ProducerBatch> inFlight = new ArrayList<>();
    // Idempotence: identity and next sequence used for this partition's batches.
    long producerId = -1;
    short producerEpoch = -1;
    int nextSequence;
    // A sequenced batch failed for good: later sequences would leave a gap, so once nothing is in
    // flight this partition continues under a fresh producer id.
    boolean sequenceResetPending;
  }

  /**
   * What an append did, so send() knows whether to wake the sender or move the sticky partition.
   */
  public record AppendResult(
      CompletableFuture<RecordMetadata> future, boolean newBatch, boolean batchFull) {}

  final ReentrantLock lock = new ReentrantLock();
  final Map<TopicPartition, PartitionState> partitions = new HashMap<>(); // guarded by lock
  private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
  private final int batchSizeBytes;
  private final CompressionType compression;
  private final RecordBatchLimits limits;
  private long nextBatchId; // guarded by lock

  public RecordAccumulator(
      int batchSizeBytes, CompressionType compression, RecordBatchLimits limits) {
    this.batchSizeBytes = batchSizeBytes;
    this.compression = compression;
    this.limits = limits;
  }

  public AppendResult append(
      TopicPartition tp,
      long timestamp,
      byte[] key,
      byte[] value,
      List<Header> headers,
      int estimatedBytes,
      long nowMs) {
    lock.lock();
    try {
      PartitionState state = partitions.computeIfAbsent(tp, k -> new PartitionState());
      ProducerBatch tail = state.queue.peekLast();
      boolean fits =
          tail != null && !tail.isFull() && tail.sizeBytes() + estimatedBytes <= batchSizeBytes;
      if (tail != null && !fits) {
        tail.markFull();
      }
      ProducerBatch batch = fits ? tail : newBatch(tp, nowMs, state);
      CompletableFuture<RecordMetadata> future =
          batch.append(timestamp, key, value, headers, estimatedBytes);
      if (batch.sizeBytes() >= batchSizeBytes) {
        batch.markFull();
      }
      return new AppendResult(future, !fits, batch.isFull() || (tail != null && !fits));
    } finally {
      lock.unlock();
    }
  }

  private ProducerBatch newBatch(TopicPartition tp, long nowMs, PartitionState state) {
    ProducerBatch batch = new ProducerBatch(nextBatchId++, tp, nowMs, compression, limits);
    state.queue.addLast(batch);
    incomplete.add(batch);
    return batch;
  }

  /** Puts a batch back in id order (a retry goes before the batches created after it). */
  static void reinsert(PartitionState state, ProducerBatch batch) {
    List<ProducerBatch> later = new ArrayList<>();
    while (!state.queue.isEmpty() && state.queue.peekFirst().id() < batch.id()) {
      later.add(state.queue.pollFirst());
    }
    state.queue.addFirst(batch);
    for (int i = later.size() - 1; i >= 0; i--) {
      state.queue.addFirst(later.get(i));
    }
  }

  /** Called once a batch completed or failed for good. */
  void forget(ProducerBatch batch) {
    incomplete.remove(batch);
  }

  /** Batches not yet completed or failed: what flush() waits for. */
  public List<ProducerBatch> incomplete() {
    return List.copyOf(incomplete);
  }

  public boolean hasIncomplete() {
    return !incomplete.isEmpty();
  }
}
