package io.keel.logstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One append-only segment file of a group's log. Writes go to the end only (under the group's
 * lock); reads are positional and may run concurrently with them. Bytes once written are never
 * overwritten: a truncated log suffix stays in place as dead bytes, only recovery at open cuts a
 * torn or unindexed tail.
 *
 * <p>A thread interrupted inside a FileChannel call closes the channel for every thread (a broker
 * cancelling a fetch must not stop the partition's log): a closed channel that this class did not
 * close is reopened, and the calls of other threads retry once on the new one.
 */
final class SegmentFile {
  final long id;
  final Path path;
  private volatile FileChannel channel;
  private volatile boolean closed;
  private long end; // guarded by the group's lock
  private volatile boolean dirty;

  private final Consumer<Path> afterFsync;

  private SegmentFile(long id, Path path, FileChannel channel, Consumer<Path> afterFsync)
      throws IOException {
    this.afterFsync = afterFsync;
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.end = channel.size();
  }

  static SegmentFile open(long id, Path path, boolean create, Consumer<Path> afterFsync) {
    try {
      FileChannel ch =
          create
              ? FileChannel.open(
                  path,
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)
              : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new SegmentFile(id, path, ch, afterFsync);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StoreDamagedException("segment file " + path + " is missing", e);
    } catch (IOException e) {
      throw error("open segment file " + path, e);
    }
  }

  private interface Io<T> {
    T run(FileChannel ch) throws IOException;
  }

  /** Runs {@code io}, once more on a reopened channel if another thread's interrupt closed it. */
  private <T> T withChannel(Io<T> io) throws IOException {
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

  private synchronized FileChannel reopen(FileChannel broken) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (channel == broken) {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }

  /** Appends the frame {@code header + data}; returns its position. */
  long append(ByteBuffer header, byte[] data) {
    long at = end;
    long total = header.remaining() + (long) data.length;
    try {
      withChannel(
          ch -> {
            ByteBuffer[] parts = {header.duplicate(), ByteBuffer.wrap(data)};
            ch.position(at);
            long left = total;
            while (left > 0) {
              left -= ch.write(parts);
            }
            return null;
          });
    } catch (IOException e) {
      end = at; // whatever was written past `at` is garbage nothing points to
      throw error("append to segment file " + path, e);
    }
    end = at + SegmentFrame.HEADER_BYTES + data.length;
    dirty = true;
    return at;
  }

  /** Reads {@code into.length} bytes at {@code position}; returns how many were there. */
  int read(long position, byte[] into) {
    try {
      return withChannel(
          ch -> {
            ByteBuffer b = ByteBuffer.wrap(into);
            while (b.hasRemaining()) {
              if (ch.read(b, position + b.position()) < 0) {
                break;
              }
            }
            return b.position();
          });
    } catch (IOException e) {
      throw error("read segment file " + path + " at " + position, e);
    }
  }

  long size() {
    try {
      return withChannel(FileChannel::size);
    } catch (IOException e) {
      throw error("stat segment file " + path, e);
    }
  }

  /** Cuts the file to {@code bytes} (recovery only: a tail nothing durable points to). */
  void truncate(long bytes) {
    try {
      withChannel(ch -> ch.truncate(bytes));
      end = Math.min(end, bytes);
      dirty = true;
    } catch (IOException e) {
      throw error("truncate segment file " + path, e);
    }
  }

  boolean dirty() {
    return dirty;
  }

  /**
   * fdatasync: every byte appended before this call is durable when it returns. A file closed by
   * its deletion (a dropped group, removed segments) has nothing left to sync.
   */
  void force() {
    dirty = false;
    try {
      withChannel(
          ch -> {
            ch.force(false); // fsync covers the inode: bytes written through a closed fd too
            return null;
          });
    } catch (ClosedChannelException e) {
      if (!closed) {
        dirty = true;
        throw error("fsync segment file " + path, e);
      }
    } catch (IOException e) {
      dirty = true;
      throw error("fsync segment file " + path, e);
    }
    afterFsync.accept(path);
  }

  void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a read/write channel after force has nothing left to lose.
    }
  }

  static StorageException error(String what, IOException e) {
    String message = "failed to " + what + ": " + e;
    if (String.valueOf(e.getMessage()).contains("No space left")) {
      return new StorageFullException("disk full: " + message, e);
    }
    return new StorageException(message, e);
  }
}
