package io.keel.proto.records;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Accumulates records and encodes them as one batch. Not thread-safe. The built batch has base
 * offset 0; the partition leader assigns the real one.
 */
public final class RecordBatchBuilder {
  private final CompressionType compression;
  private final RecordBatchLimits limits;
  // Uncompressed records section.
  private final ByteArrayOutputStream records = new ByteArrayOutputStream(1024);
  private long producerId = RecordBatch.NO_PRODUCER_ID;
  private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
  private int baseSequence = RecordBatch.NO_SEQUENCE;
  private int recordCount;
  private long firstTimestamp;
  private long maxTimestamp = Long.MIN_VALUE;

  public RecordBatchBuilder(CompressionType compression) {
    this(compression, RecordBatchLimits.DEFAULTS);
  }

  public RecordBatchBuilder(CompressionType compression, RecordBatchLimits limits) {
    this.compression = Objects.requireNonNull(compression, "compression");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Marks the batch as sent by an idempotent producer; records get sequences from baseSequence. */
  public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
    if (producerId < 0) {
      throw new IllegalArgumentException("producerId " + producerId + " < 0");
    }
    if (producerEpoch < 0) {
      throw new IllegalArgumentException("producerEpoch " + producerEpoch + " < 0");
    }
    if (baseSequence < 0) {
      throw new IllegalArgumentException("baseSequence " + baseSequence + " < 0");
    }
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    return this;
  }

  public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
    return append(timestamp, key, value, List.of());
  }

  /**
   * Appends a record. Throws {@link RecordBatchTooLargeException} if the uncompressed records would
   * exceed {@link RecordBatchLimits#maxUncompressedBytes()}; the builder is then unchanged.
   */
  public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<Header> headers) {
    Objects.requireNonNull(headers, "headers");
    long first = recordCount == 0 ? timestamp : firstTimestamp;
    long timestampDelta;
    try {
      timestampDelta = Math.subtractExact(timestamp, first);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "timestamp " + timestamp + " too far from the batch's first timestamp " + first);
    }
    PendingRecord record = PendingRecord.of(timestampDelta, recordCount, key, value, headers);
    long newSize = (long) records.size() + record.encodedBytes();
    if (newSize > limits.maxUncompressedBytes()) {
      throw new RecordBatchTooLargeException(
          "maxUncompressedBytes", newSize, limits.maxUncompressedBytes());
    }
    record.writeTo(records);
    firstTimestamp = first;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    recordCount++;
    return this;
  }

  public int recordCount() {
    return recordCount;
  }

  public boolean isEmpty() {
    return recordCount == 0;
  }

  public CompressionType compression() {
    return compression;
  }

  /**
   * Size of the batch if built without compression: an upper bound for producers deciding when a
   * batch is full (compression only shrinks it, barring incompressible data and codec framing).
   */
  public int uncompressedSizeBytes() {
    return RecordBatch.HEADER_BYTES + records.size();
  }

  /**
   * Encodes the batch. Throws {@link RecordBatchTooLargeException} if it exceeds {@link
   * RecordBatchLimits#maxBatchBytes()}, and IllegalStateException if no record was appended.
   */
  public byte[] build() {
    if (recordCount == 0) {
      throw new IllegalStateException("build: a batch needs at least one record");
    }
    byte[] section = Codecs.compress(compression, records.toByteArray());
    long size = (long) RecordBatch.HEADER_BYTES + section.length;
    if (size > limits.maxBatchBytes()) {
      throw new RecordBatchTooLargeException("maxBatchBytes", size, limits.maxBatchBytes());
    }
    byte[] batch = new byte[(int) size];
    ByteBuffer buf = ByteBuffer.wrap(batch);
    buf.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC_V1)
        .putLong(RecordBatch.BASE_OFFSET_OFFSET, 0L)
        .putInt(RecordBatch.LENGTH_OFFSET, batch.length)
        .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) compression.id())
        .putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, recordCount - 1)
        .putLong(RecordBatch.FIRST_TIMESTAMP_OFFSET, firstTimestamp)
        .putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp)
        .putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId)
        .putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch)
        .putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence)
        .putInt(RecordBatch.RECORD_COUNT_OFFSET, recordCount)
        .put(RecordBatch.HEADER_BYTES, section);
    buf.putInt(RecordBatch.CRC_OFFSET, RecordBatch.computeCrc(batch));
    return batch;
  }
}
