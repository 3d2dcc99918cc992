package io.keel.client;

/** An operation did not complete within its deadline; retrying later may succeed. */
public class KeelTimeoutException extends RetriableException {
  public KeelTimeoutException(String message) {
    super(message);
  }

  public KeelTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
