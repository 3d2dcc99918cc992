package io.keel.client;

/** Too few replicas are live to commit with acks=all. */
public class NotEnoughReplicasException extends RetriableException {
  public NotEnoughReplicasException(String message) {
    super(message);
  }

  public NotEnoughReplicasException(String message, Throwable cause) {
    super(message, cause);
  }
}
