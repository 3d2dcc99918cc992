package io.keel.client;

/** The broker rejected the request as malformed; the message names the field. */
public class InvalidRequestException extends KeelException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
