package io.keel.client;

/** A consumer-group operation failed (unknown or fenced member, group not empty...). */
public class GroupException extends KeelException {
  public GroupException(String message) {
    super(message);
  }

  public GroupException(String message, Throwable cause) {
    super(message, cause);
  }
}
