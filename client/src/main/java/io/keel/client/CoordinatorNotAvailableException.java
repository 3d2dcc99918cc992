package io.keel.client;

/** The group coordinator moved or is still loading. */
public class CoordinatorNotAvailableException extends RetriableException {
  public CoordinatorNotAvailableException(String message) {
    super(message);
  }

  public CoordinatorNotAvailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
