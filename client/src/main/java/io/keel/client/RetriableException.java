package io.keel.client;

/**
 * A transient error (leader moved, timeout, node shutting down). The client retries these itself
 * until its deadline (delivery.timeout.ms, default.api.timeout.ms); the caller sees one only when
 * that deadline has passed.
 */
public class RetriableException extends KeelException {
  public RetriableException(String message) {
    super(message);
  }

  public RetriableException(String message, Throwable cause) {
    super(message, cause);
  }
}
