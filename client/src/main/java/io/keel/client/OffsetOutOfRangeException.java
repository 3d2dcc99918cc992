package io.keel.client;

/**
 * The consumer's position is outside the partition's log, or it has no position and
 * auto.offset.reset is {@code none}.
 */
public class OffsetOutOfRangeException extends KeelException {
  private final TopicPartition partition;
  private final long offset;

  public OffsetOutOfRangeException(TopicPartition partition, long offset, String message) {
    super(message);
    this.partition = partition;
    this.offset = offset;
  }

  public TopicPartition partition() {
    return partition;
  }

  /** The offending offset; -1 when the partition had no position at all. */
  public long offset() {
    return offset;
  }
}
