package io.keel.broker.partition;

import io.keel.raft.Checks;

/**
 * The idempotence header of one record batch: who wrote it and which sequence numbers it carries.
 *
 * @param producerId the producer id, or {@link #NO_PRODUCER_ID} for a non-idempotent batch
 * @param epoch the producer epoch
 * @param firstSeq sequence number of the first record
 * @param lastSeq sequence number of the last record (wraps after {@link Integer#MAX_VALUE})
 */
public record ProducerBatch(long producerId, short epoch, int firstSeq, int lastSeq) {
  public static final long NO_PRODUCER_ID = -1;

  public ProducerBatch {
    Checks.arg(producerId >= NO_PRODUCER_ID, "producer id must be >= -1, was %s", producerId);
    Checks.arg(
        !isIdempotent(producerId) || firstSeq >= 0,
        "first sequence must be >= 0, was %s",
        firstSeq);
  }

  /** The header of a batch of {@code recordCount} records starting at {@code baseSeq}. */
  public static ProducerBatch of(long producerId, short epoch, int baseSeq, int recordCount) {
    Checks.arg(recordCount > 0, "record count must be > 0, was %s", recordCount);
    return new ProducerBatch(producerId, epoch, baseSeq, nextSeq(baseSeq, recordCount - 1));
  }

  public boolean idempotent() {
    return isIdempotent(producerId);
  }

  private static boolean isIdempotent(long producerId) {
    return producerId != NO_PRODUCER_ID;
  }

  /** {@code seq + delta} wrapping to 0 after {@link Integer#MAX_VALUE}, as Kafka producers do. */
  static int nextSeq(int seq, int delta) {
    return seq > Integer.MAX_VALUE - delta ? delta - (Integer.MAX_VALUE - seq) - 1 : seq + delta;
  }
}
