package io.keel.broker.partition;

import io.keel.proto.ErrorCode;
import io.keel.proto.records.CorruptRecordBatchException;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchLimits;

/** The broker's use of the record batch codec: validating produced batches, reading headers. */
public final class RecordBatches {
  /** Name of the produce size limit, as operators know it. */
  public static final String MAX_REQUEST_BYTES = "max.request.bytes";

  private RecordBatches() {}

  /**
   * Decodes and fully verifies (CRC32C and every record) a produced batch before anything is
   * stored. Throws {@link PartitionException} with RECORD_TOO_LARGE, CORRUPT_BATCH or
   * INVALID_REQUEST naming the field and the limit.
   */
  public static ValidatedBatch validate(byte[] bytes, int maxRequestBytes) {
    return validate(bytes, maxRequestBytes, MAX_REQUEST_BYTES);
  }

  /** Like {@link #validate(byte[], int)} with the limit's name for the error message. */
  public static ValidatedBatch validate(byte[] bytes, int maxBytes, String limitName) {
    if (bytes.length == 0) {
      throw new PartitionException(ErrorCode.INVALID_REQUEST, "record_batch is empty");
    }
    if (bytes.length > maxBytes) {
      throw new PartitionException(
          ErrorCode.RECORD_TOO_LARGE,
          String.format(
              "record_batch is %d bytes, larger than %s (%d bytes)",
              bytes.length, limitName, maxBytes));
    }
    RecordBatch batch;
    try {
      batch =
          RecordBatch.decode(
              bytes,
              RecordBatchLimits.withMaxBatchBytes(Math.max(maxBytes, RecordBatch.HEADER_BYTES)));
      batch.verifyRecords();
    } catch (CorruptRecordBatchException e) {
      throw new PartitionException(
          ErrorCode.CORRUPT_BATCH, "record_batch is corrupt: " + e.getMessage());
    }
    if (batch.recordCount() <= 0) {
      throw new PartitionException(
          ErrorCode.INVALID_REQUEST,
          "record_batch has " + batch.recordCount() + " records, expected at least 1");
    }
    return new ValidatedBatch(
        bytes,
        offsetsCovered(batch),
        batch.firstTimestamp(),
        batch.maxTimestamp(),
        producerOf(batch));
  }

  /** The idempotence header of a stored batch (framing checked, CRC already verified). */
  static ProducerBatch producerOf(byte[] batchBytes) {
    return producerOf(
        RecordBatch.decode(
            batchBytes,
            RecordBatchLimits.withMaxBatchBytes(
                Math.max(batchBytes.length, RecordBatch.HEADER_BYTES))));
  }

  /** Stamps the leader-assigned base offset into the batch (outside its CRC). */
  static byte[] withBaseOffset(byte[] batchBytes, long baseOffset) {
    return RecordBatch.withBaseOffset(batchBytes, baseOffset);
  }

  private static int offsetsCovered(RecordBatch batch) {
    return batch.lastOffsetDelta() + 1;
  }

  private static ProducerBatch producerOf(RecordBatch batch) {
    long producerId = batch.producerId();
    if (producerId == RecordBatch.NO_PRODUCER_ID) {
      return ProducerBatch.of(
          ProducerBatch.NO_PRODUCER_ID, batch.producerEpoch(), 0, offsetsCovered(batch));
    }
    if (producerId < 0 || batch.producerEpoch() < 0 || batch.baseSequence() < 0) {
      throw new PartitionException(
          ErrorCode.INVALID_REQUEST,
          String.format(
              "idempotent batch needs producer_id, producer_epoch and base_sequence >= 0,"
                  + " got %d, %d, %d",
              producerId, batch.producerEpoch(), batch.baseSequence()));
    }
    return ProducerBatch.of(
        producerId, batch.producerEpoch(), batch.baseSequence(), offsetsCovered(batch));
  }
}
