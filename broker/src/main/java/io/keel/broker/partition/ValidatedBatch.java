package io.keel.broker.partition;

import io.keel.raft.Checks;

/**
 * A producer's record batch that passed decoding and CRC verification, with the fields the
 * partition needs to store it.
 *
 * @param batchBytes the batch exactly as the producer sent it
 * @param recordCount offsets the batch covers
 * @param firstTimestamp first record's timestamp, epoch ms
 * @param maxTimestamp largest record timestamp, epoch ms
 * @param producer the idempotence header
 */
public record ValidatedBatch(
    byte[] batchBytes,
    int recordCount,
    long firstTimestamp,
    long maxTimestamp,
    ProducerBatch producer) {
  public ValidatedBatch {
    Checks.arg(batchBytes != null, "batchBytes is null");
    Checks.arg(recordCount > 0, "recordCount must be > 0, was %s", recordCount);
  }
}
