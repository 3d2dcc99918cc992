package io.keel.logstore;

/**
 * The data directory is not a Keel store this build can open: it holds something else, or a newer
 * format. Thrown before anything in the directory is touched.
 */
public final class StoreFormatException extends RuntimeException {
  public StoreFormatException(String message) {
    super(message);
  }
}
