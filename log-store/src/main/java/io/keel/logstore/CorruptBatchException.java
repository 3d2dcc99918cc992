package io.keel.logstore;

/** Stored bytes failed verification; the store never returns them. */
public final class CorruptBatchException extends RuntimeException {
  private final long groupId;
  private final long offset;

  public CorruptBatchException(long groupId, long offset, String detail) {
    super(
        "corrupt record batch in partition group "
            + groupId
            + " at offset "
            + offset
            + ": "
            + detail);
    this.groupId = groupId;
    this.offset = offset;
  }

  public long groupId() {
    return groupId;
  }

  public long offset() {
    return offset;
  }
}
