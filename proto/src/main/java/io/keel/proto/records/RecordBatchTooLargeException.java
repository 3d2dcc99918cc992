package io.keel.proto.records;

/** A batch being built would exceed a size limit of {@link RecordBatchLimits}. */
public final class RecordBatchTooLargeException extends IllegalArgumentException {
  private final String limitName;
  private final long actualBytes;
  private final long limitBytes;

  public RecordBatchTooLargeException(String limitName, long actualBytes, long limitBytes) {
    super(limitName + " exceeded: " + actualBytes + " bytes > limit " + limitBytes + " bytes");
    this.limitName = limitName;
    this.actualBytes = actualBytes;
    this.limitBytes = limitBytes;
  }

  public String limitName() {
    return limitName;
  }

  public long actualBytes() {
    return actualBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }
}
