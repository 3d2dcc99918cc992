package io.keel.broker.controller;

/** No controller leader answered within the request's deadline. */
public final class ControllerUnavailableException extends RuntimeException {
  public ControllerUnavailableException(String message) {
    super(message);
  }
}
