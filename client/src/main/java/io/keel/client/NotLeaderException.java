package io.keel.client;

/** The node does not lead the partition (or is not the controller / coordinator). */
public class NotLeaderException extends RetriableException {
  public NotLeaderException(String message) {
    super(message);
  }

  public NotLeaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
