package io.keel.client;

/** A newer producer with the same id took over; this producer can no longer write. */
public class ProducerFencedException extends KeelException {
  public ProducerFencedException(String message) {
    super(message);
  }

  public ProducerFencedException(String message, Throwable cause) {
    super(message, cause);
  }
}
