package io.keel.client;

/** A record or batch exceeds a size limit; the message names the limit. */
public class RecordTooLargeException extends KeelException {
  public RecordTooLargeException(String message) {
    super(message);
  }

  public RecordTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
