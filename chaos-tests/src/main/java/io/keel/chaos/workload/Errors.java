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
    String text = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    return text.length() > 200 ? text.substring(0, 200) : text;
  }
}
