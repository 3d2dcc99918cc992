package io.keel.logstore;

/**
 * The disk holding the store is full. Nothing of the failed write is visible; the store stays
 * readable and accepts writes again once space is freed.
 */
public final class StorageFullException extends StorageException {
  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
