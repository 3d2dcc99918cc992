package io.keel.client;

/** send() waited max.block.ms for buffer.memory to free up and gave up. */
public class BufferExhaustedException extends KeelTimeoutException {
  public BufferExhaustedException(String message) {
    super(message);
  }

  public BufferExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
