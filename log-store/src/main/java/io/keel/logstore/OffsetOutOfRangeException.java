package io.keel.logstore;

/** A read asked for an offset outside {@code [logStartOffset, nextOffset]}. */
public final class OffsetOutOfRangeException extends RuntimeException {
  private final long logStartOffset;
  private final long nextOffset;

  public OffsetOutOfRangeException(
      long groupId, long offset, long logStartOffset, long nextOffset) {
    super(
        "offset "
            + offset
            + " is out of range for partition group "
            + groupId
            + ": log holds ["
            + logStartOffset
            + ", "
            + nextOffset
            + ")");
    this.logStartOffset = logStartOffset;
    this.nextOffset = nextOffset;
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  public long nextOffset() {
    return nextOffset;
  }
}
