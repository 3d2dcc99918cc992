package io.keel.logstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One append-only segment file of a group's log. Writes go to the end only (under the group's
 * lock); reads are positional and may run concurrently with them. Bytes once written are never
 * overwritten: a truncated log suffix stays in place as dead bytes, only recovery at open cuts a
 * torn or unindexed tail.
 */
final class SegmentFile {
  final long id;
  final Path path;
  private final FileChannel channel;
  private long end; // guarded by the group's lock
  private volatile boolean dirty;

  private SegmentFile(long id, Path path, FileChannel channel) throws IOException {
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.end = channel.size();
  }

  static SegmentFile open(long id, Path path, boolean create) {
    try {
      FileChannel ch =
          create
              ? FileChannel.open(
                  path,
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)
              : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new SegmentFile(id, path, ch);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StoreDamagedException("segment file " + path + " is missing", e);
    } catch (IOException e) {
      throw error("open segment file " + path, e);
    }
  }

  /** Appends the frame {@code header + data}; returns its position. */
  long append(ByteBuffer header, byte[] data) {
    long at = end;
    ByteBuffer[] parts = {header, ByteBuffer.wrap(data)};
    try {
      channel.position(at);
      long left = header.remaining() + (long) data.length;
      while (left > 0) {
        left -= channel.write(parts);
      }
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
    ByteBuffer b = ByteBuffer.wrap(into);
    try {
      while (b.hasRemaining()) {
        int n = channel.read(b, position + b.position());
        if (n < 0) {
          break;
        }
      }
    } catch (IOException e) {
      throw error("read segment file " + path + " at " + position, e);
    }
    return b.position();
  }

  long size() {
    try {
      return channel.size();
    } catch (IOException e) {
      throw error("stat segment file " + path, e);
    }
  }

  /** Cuts the file to {@code bytes} (recovery only: a tail nothing durable points to). */
  void truncate(long bytes) {
    try {
      channel.truncate(bytes);
      end = Math.min(end, bytes);
      dirty = true;
    } catch (IOException e) {
      throw error("truncate segment file " + path, e);
    }
  }

  boolean dirty() {
    return dirty;
  }

  /** fdatasync: every byte appended before this call is durable when it returns. */
  void force() {
    dirty = false;
    try {
      channel.force(false);
    } catch (IOException e) {
      dirty = true;
      throw error("fsync segment file " + path, e);
    }
  }

  void close() {
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
