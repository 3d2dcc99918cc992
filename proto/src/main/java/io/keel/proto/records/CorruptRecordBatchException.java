package io.keel.proto.records;

/** A record batch failed a structural or checksum check; the message names the field. */
public final class CorruptRecordBatchException extends RuntimeException {
  public CorruptRecordBatchException(String message) {
    super(message);
  }

  public CorruptRecordBatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
