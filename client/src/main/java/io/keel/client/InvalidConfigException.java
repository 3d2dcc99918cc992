package io.keel.client;

/** A configuration key has an invalid or unknown value; the message names the key. */
public class InvalidConfigException extends KeelException {
  public InvalidConfigException(String message) {
    super(message);
  }

  public InvalidConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
