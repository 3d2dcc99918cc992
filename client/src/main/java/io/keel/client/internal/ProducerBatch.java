package io.keel.client.internal;

import io.keel.client.KeelException;
import io.keel.client.RecordMetadata;
import io.keel.client.RecordTooLargeException;
import io.keel.client.TopicPartition;
import io.keel.proto.records.RecordBatchBuilder;
import io.keel.proto.records.RecordBatchLimits;
import io.keel.proto.records.RecordBatchTooLargeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The records bound for one partition in one request. Appended to by send() callers (under the
 * accumulator's lock) until drained; then owned by the sender thread, which encodes it once per
 * producer id and sequence so that a retry resends identical bytes the broker can dedup.
 */
public final class ProducerBatch {
  /** A record's completion future and the sizes reported in its metadata. */
  private record Pending(
      CompletableFuture<RecordMetadata> future, long timestamp, int keySize, int valueSize) {}

  private final long id; // creation order within the producer; retries keep it
  private final TopicPartition partition;
  private final long createdMs;
  private final RecordBatchBuilder builder;
  private final List<Pending> records = new ArrayList<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private long reservedBytes;
  private boolean full; // no more appends: full, or drained for sending
  // Sender-thread state below.
  private byte[] encoded;
  private long producerId = -1;
  private int baseSequence = -1;
  private int attempts;
  private long retryAtMs;
  // Sent while earlier batches of the partition were unanswered: the broker may see it first (it
  // need not handle concurrent requests in order), so OUT_OF_ORDER_SEQUENCE is then retriable.
  private boolean sentBehindOthers;
  private KeelException lastError;

  public ProducerBatch(
      long id,
      TopicPartition partition,
      long createdMs,
      io.keel.proto.records.CompressionType compression,
      RecordBatchLimits limits) {
    this.id = id;
    this.partition = partition;
    this.createdMs = createdMs;
    this.builder = new RecordBatchBuilder(compression, limits);
  }

  /** Appends a record whose {@code reservedBytes} the caller took from the buffer pool. */
  public CompletableFuture<RecordMetadata> append(
      long timestamp,
      byte[] key,
      byte[] value,
      List<io.keel.proto.records.Header> headers,
      long reserved) {
    builder.append(timestamp, key, value, headers);
    reservedBytes += reserved;
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    records.add(
        new Pending(
            future, timestamp, key == null ? -1 : key.length, value == null ? -1 : value.length));
    return future;
  }

  public int sizeBytes() {
    return builder.uncompressedSizeBytes();
  }

  public int recordCount() {
    return builder.recordCount();
  }

  public void markFull() {
    full = true;
  }

  public boolean isFull() {
    return full;
  }

  /**
   * Encodes the batch for {@code producerId}/{@code epoch} from {@code baseSequence}, or without
   * producer identity when producerId is -1. Reuses the previous encoding when unchanged.
   */
  public byte[] encode(long producerId, short epoch, int baseSequence) {
    if (encoded != null && producerId == this.producerId && baseSequence == this.baseSequence) {
      return encoded;
    }
    if (producerId >= 0) {
      builder.producer(producerId, epoch, baseSequence);
    }
    try {
      encoded = builder.build();
    } catch (RecordBatchTooLargeException e) {
      throw new RecordTooLargeException(
          "batch for " + partition + " too large: " + e.getMessage() + " (max.request.size)", e);
    }
    this.producerId = producerId;
    this.baseSequence = baseSequence;
    return encoded;
  }

  public byte[] encoded() {
    Checks.state(encoded != null, "batch %s of %s not encoded yet", id, partition);
    return encoded;
  }

  public boolean hasSequence() {
    return baseSequence >= 0;
  }

  public int baseSequence() {
    return baseSequence;
  }

  public long producerId() {
    return producerId;
  }

  /** Forgets the sequence so the batch is re-encoded under a new producer id. */
  public void clearSequence() {
    producerId = -1;
    baseSequence = -1;
    encoded = null;
  }

  /** Completes every record; {@code baseOffset} -1 means unknown (acks=0). */
  public void complete(long baseOffset) {
    for (int i = 0; i < records.size(); i++) {
      Pending p = records.get(i);
      long offset = baseOffset < 0 ? -1 : baseOffset + i;
      p.future()
          .complete(
              new RecordMetadata(partition, offset, p.timestamp(), p.keySize(), p.valueSize()));
    }
    done.complete(null);
  }

  public void fail(KeelException error) {
    for (Pending p : records) {
      p.future().completeExceptionally(error);
    }
    done.complete(null);
  }

  public boolean isDone() {
    return done.isDone();
  }

  /** Completes (normally) once every record's future has completed, successfully or not. */
  public CompletableFuture<Void> done() {
    return done;
  }

  public long id() {
    return id;
  }

  public TopicPartition partition() {
    return partition;
  }

  public long createdMs() {
    return createdMs;
  }

  public long reservedBytes() {
    return reservedBytes;
  }

  public int attempts() {
    return attempts;
  }

  public void markSent(boolean behindOthers) {
    sentBehindOthers = behindOthers;
  }

  public boolean sentBehindOthers() {
    return sentBehindOthers;
  }

  /** Queues the batch for another attempt at {@code atMs} after failing with {@code error}. */
  public void scheduleRetry(long atMs, KeelException error) {
    attempts++;
    retryAtMs = atMs;
    lastError = error;
  }

  /** Why the last attempt failed; null before any failure. */
  public KeelException lastError() {
    return lastError;
  }

  public boolean isRetry() {
    return attempts > 0;
  }

  public long retryAtMs() {
    return retryAtMs;
  }
}
