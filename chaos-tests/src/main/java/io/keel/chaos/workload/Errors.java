package io.keel.chaos.workload;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short error descriptions for the history. */
final class Errors {
  private Errors() {}

  static String describe(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    // A retriable error (STORAGE_FULL, say) reaches the caller as the timeout it ended in: name
    // the last error too, so the history tells a typed refusal from a silent hang.
    Throwable last = cause.getCause();
    String text =
        cause.getClass().getSimpleName()
            + (last != null && last != cause ? "[" + last.getClass().getSimpleName() + "]" : "")
            + (message == null ? "" : ": " + message);
    return text.length() > 200 ? text.substring(0, 200) : text;
  }
}
