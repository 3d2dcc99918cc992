package io.keel.logstore;

/** RocksDB failed an operation; the message names the operation and the store directory. */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
