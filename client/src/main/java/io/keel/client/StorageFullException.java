package io.keel.client;

/** A replica's disk is full; writes are retried until retention frees space or time runs out. */
public class StorageFullException extends RetriableException {
  public StorageFullException(String message) {
    super(message);
  }

  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
