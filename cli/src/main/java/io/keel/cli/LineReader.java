package io.keel.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads lines of an input stream on a daemon thread, so the command reading them can wait with a
 * timeout and notice Ctrl-C while a terminal's standard input has nothing to say.
 */
final class LineReader {
  private static final int QUEUED_LINES_MAX = 1024;

  /** What {@link #next} found. */
  sealed interface Next {
    record Line(String text) implements Next {}

    /** Nothing arrived within the wait. */
    record Nothing() implements Next {}

    record EndOfInput() implements Next {}
  }

  private static final Next END = new Next.EndOfInput();

  private final BlockingQueue<Next> lines = new ArrayBlockingQueue<>(QUEUED_LINES_MAX);
  private volatile IOException failure;

  private LineReader() {}

  static LineReader start(InputStream in) {
    LineReader reader = new LineReader();
    Thread.ofPlatform().daemon(true).name("keel-stdin").start(() -> reader.readAll(in));
    return reader;
  }

  private void readAll(InputStream in) {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.put(new Next.Line(line));
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lines.offer(END);
    }
  }

  /** The next line, waiting at most {@code wait} for one. */
  Next next(Duration wait) throws InterruptedException {
    Next next = lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      return new Next.Nothing();
    }
    if (next instanceof Next.EndOfInput) {
      lines.offer(END); // later calls see the end too
      if (failure != null) {
        throw new UncheckedIOException("reading standard input", failure);
      }
    }
    return next;
  }
}
