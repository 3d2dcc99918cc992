package io.keel.client;

/** The broker no longer knows the idempotent producer's id (its state expired). */
public class UnknownProducerIdException extends KeelException {
  public UnknownProducerIdException(String message) {
    super(message);
  }
}
