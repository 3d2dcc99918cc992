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
 * <p>Its channels are {@link ReopeningChannel}s: a reader's interrupt does not close them for the
 * others.
 *
 * <p>Once fsynced, bytes more than {@code cachedTailBytes} behind the end of the file, and all of a
 * sealed file (one the group has rolled past), are dropped from the page cache: readers at the tail
 * still find it cached, while a stream of appends recycles a bounded set of pages instead of
 * spreading the page cache over all free memory and paying for every fresh page. Fetches behind
 * that tail bypass the page cache ({@link DirectReads}); other reads there, and fetches where the
 * file system refuses it, drop what they brought back.
 */
final class SegmentFile {
  final long id;
  final Path path;
  private final ReopeningChannel channel;
  private volatile long end; // written under the group's lock
  private volatile boolean dirty;
  private volatile boolean sealed;
  private volatile long syncedEnd; // what is there at open counts: dirty pages are never dropped

  private final Consumer<Path> afterFsync;
  private final long cachedTailBytes; // < 0: the kernel decides what stays cached
  private final PageCache.Handle cache;
  private final DirectReads direct;

  private SegmentFile(
      long id, Path path, ReopeningChannel channel, Consumer<Path> afterFsync, long cachedTailBytes)
      throws IOException {
    this.afterFsync = afterFsync;
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.end = channel.run(FileChannel::size);
    this.syncedEnd = end;
    this.cachedTailBytes = cachedTailBytes;
    this.cache = cachedTailBytes < 0 ? PageCache.NONE : PageCache.open(path);
    this.direct = new DirectReads(path);
  }

  static SegmentFile open(
      long id, Path path, boolean create, Consumer<Path> afterFsync, long cachedTailBytes) {
    try {
      ReopeningChannel ch =
          create
              ? ReopeningChannel.open(
                  path,
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)
              : ReopeningChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new SegmentFile(id, path, ch, afterFsync, cachedTailBytes);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StoreDamagedException("segment file " + path + " is missing", e);
    } catch (IOException e) {
      throw error("open segment file " + path, e);
    }
  }

  /** Appends the frame {@code header + data}; returns its position. */
  long append(ByteBuffer header, byte[] data) {
    if (sealed) {
      sealed = false; // a truncation made this file the group's last again
    }
    long at = end;
    long total = header.remaining() + (long) data.length;
    try {
      channel.run(
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
  int read(long position, byte[] into, ReadKind kind) {
    try {
      if (kind == ReadKind.FETCH && cache.dropped(position, position + into.length)) {
        int read = direct.read(position, into);
        if (read >= 0) {
          return read;
        }
      }
      int read =
          channel.run(
              ch -> {
                ByteBuffer b = ByteBuffer.wrap(into);
                while (b.hasRemaining()) {
                  if (ch.read(b, position + b.position()) < 0) {
                    break;
                  }
                }
                return b.position();
              });
      cache.dropReadBack(position, position + read);
      return read;
    } catch (IOException e) {
      throw error("read segment file " + path + " at " + position, e);
    }
  }

  long size() {
    try {
      return channel.run(FileChannel::size);
    } catch (IOException e) {
      throw error("stat segment file " + path, e);
    }
  }

  /** Cuts the file to {@code bytes} (recovery only: a tail nothing durable points to). */
  void truncate(long bytes) {
    try {
      channel.run(ch -> ch.truncate(bytes));
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
    long synced = end; // appended before the fsync below starts
    dirty = false;
    try {
      channel.run(
          ch -> {
            ch.force(false); // fsync covers the inode: bytes written through a closed fd too
            return null;
          });
    } catch (ClosedChannelException e) {
      if (!channel.closed()) {
        dirty = true;
        throw error("fsync segment file " + path, e);
      }
    } catch (IOException e) {
      dirty = true;
      throw error("fsync segment file " + path, e);
    }
    afterFsync.accept(path);
    syncedEnd = Math.max(syncedEnd, synced);
    trimCache();
  }

  /** The group has a newer file: this one's synced bytes need no cache any more. */
  void seal() {
    sealed = true;
    trimCache();
  }

  // A seal racing a force: each writes its field before reading the other's, so at least one of
  // them sees both and drops the whole synced file.
  private void trimCache() {
    if (cachedTailBytes >= 0) {
      long synced = syncedEnd;
      cache.dropBefore(sealed ? synced : synced - cachedTailBytes);
    }
  }

  void close() {
    cache.close();
    direct.close();
    channel.close();
  }

  static StorageException error(String what, IOException e) {
    String message = "failed to " + what + ": " + e;
    if (String.valueOf(e.getMessage()).contains("No space left")) {
      return new StorageFullException("disk full: " + message, e);
    }
    return new StorageException(message, e);
  }
}
