package io.keel.client;

/**
 * A record batch failed verification (CRC32C, lengths, fields). The consumer refetches a few times
 * before reporting it; a producer's batch the broker rejects as corrupt is not resent.
 */
public class CorruptRecordException extends KeelException {
  public CorruptRecordException(String message) {
    super(message);
  }

  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
