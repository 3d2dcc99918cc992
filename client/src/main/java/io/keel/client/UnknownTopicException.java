package io.keel.client;

/** The topic or partition does not exist. */
public class UnknownTopicException extends KeelException {
  public UnknownTopicException(String message) {
    super(message);
  }

  public UnknownTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
