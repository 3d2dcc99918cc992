package io.keel.logstore;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file channel shared by threads that another thread's interrupt cannot take from them. A thread
 * interrupted inside a FileChannel call closes the channel for every thread (a broker cancelling a
 * fetch must not stop the partition's log): a channel closed other than by {@link #close} is
 * reopened, and the calls of other threads retry once on the new one.
 */
final class ReopeningChannel {
  interface Io<T> {
    T run(FileChannel ch) throws IOException;
  }

  private final Path path;
  private final OpenOption[] options;
  private volatile FileChannel channel;
  private volatile boolean closed;

  private ReopeningChannel(Path path, OpenOption[] options, FileChannel channel) {
    this.path = path;
    this.options = options;
    this.channel = channel;
  }

  /** Opens {@code path} with {@code options}; a reopen uses them too, less any CREATE. */
  static ReopeningChannel open(Path path, OpenOption... options) throws IOException {
    OpenOption[] reopen =
        Arrays.stream(options)
            .filter(o -> o != StandardOpenOption.CREATE_NEW)
            .toArray(OpenOption[]::new);
    return new ReopeningChannel(path, reopen, FileChannel.open(path, options));
  }

  /** Runs {@code io}, once more on a reopened channel if another thread's interrupt closed it. */
  <T> T run(Io<T> io) throws IOException {
    FileChannel ch = channel;
    try {
      return io.run(ch);
    } catch (ClosedChannelException e) {
      FileChannel fresh = reopen(ch);
      if (Thread.currentThread().isInterrupted()) {
        throw e;
      }
      return io.run(fresh);
    }
  }

  boolean closed() {
    return closed;
  }

  synchronized void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      // Callers close after their last fsync: nothing is left to lose.
    }
  }

  private synchronized FileChannel reopen(FileChannel broken) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (channel == broken) {
      channel = FileChannel.open(path, options);
    }
    return channel;
  }
}
