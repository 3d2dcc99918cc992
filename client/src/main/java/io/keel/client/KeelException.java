package io.keel.client;

/** Base of every error the Keel client raises. Unchecked, like Kafka's. */
public class KeelException extends RuntimeException {
  public KeelException(String message) {
    super(message);
  }

  public KeelException(String message, Throwable cause) {
    super(message, cause);
  }
}
