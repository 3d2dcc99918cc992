package io.keel.logstore;

/**
 * The store's durable state is damaged or went backwards (a corrupt or missing file, a commit index
 * the log does not cover). The store, or the group named in the message, must not be served from:
 * it would answer with fewer entries than it acknowledged. Rebuild it from the other replicas.
 */
public final class StoreDamagedException extends StorageException {
  public StoreDamagedException(String message) {
    super(message, null);
  }

  public StoreDamagedException(String message, Throwable cause) {
    super(message, cause);
  }
}
