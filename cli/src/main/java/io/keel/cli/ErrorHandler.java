package io.keel.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints one clear line per failure; the stack trace only with {@code --verbose}. */
final class ErrorHandler implements IExecutionExceptionHandler {
  static final int EXIT_FAILURE = 1;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    if (parsed.hasMatchedOption("--verbose")) {
      e.printStackTrace(cmd.getErr());
    }
    Throwable cause = unwrap(e);
    if (cause instanceof CliFailure failure) {
      cmd.getErr().println("keel: " + failure.getMessage());
      cmd.getErr().flush();
      return failure.exitCode();
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    cmd.getErr().println("keel: " + message);
    cmd.getErr().flush();
    return EXIT_FAILURE;
  }

  /** Futures wrap the client's typed exception; the user wants the broker's words. */
  private static Throwable unwrap(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
