package io.keel.client;

/** The broker saw a gap in the idempotent producer's sequence numbers for a partition. */
public class OutOfOrderSequenceException extends KeelException {
  public OutOfOrderSequenceException(String message) {
    super(message);
  }

  public OutOfOrderSequenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
