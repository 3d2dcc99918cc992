package io.keel.logstore;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of one segment file that bypass the page cache ({@code O_DIRECT}), for synced bytes the
 * cache was told to drop: the disk fills an aligned buffer by DMA, so the kernel neither takes
 * fresh pages for them nor copies them out (reading 2 GiB with 1 MiB reads here cost 0.16-0.18 s of
 * system CPU this way, 0.7-2.1 s through the page cache). Redpanda reads the same way. Where the
 * file system refuses {@code O_DIRECT} (tmpfs), {@link #read} answers -1 and the caller reads
 * through the cache.
 */
final class DirectReads {
  private static final Logger log = LoggerFactory.getLogger(DirectReads.class);
  // Enough for a frame of the largest batch a producer may send, with an aligned page each side.
  private static final int POOLED_BYTES = 2 << 20;
  private static final ArrayBlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(16);
  private static final AtomicBoolean UNSUPPORTED_LOGGED = new AtomicBoolean();

  private final Path path;
  private volatile ReopeningChannel channel;
  private volatile boolean unsupported;
  private volatile boolean closed;
  private int alignment;

  DirectReads(Path path) {
    this.path = path;
  }

  /**
   * Reads {@code into.length} bytes at {@code position}, fewer at the end of the file; returns how
   * many, or -1 when this file cannot be read with {@code O_DIRECT}.
   */
  int read(long position, byte[] into) throws IOException {
    ReopeningChannel ch = channelOrNull();
    if (ch == null) {
      return -1;
    }
    long start = position - Math.floorMod(position, alignment);
    long end = position + into.length;
    int span = Math.toIntExact(end - start + Math.floorMod(-end, alignment));
    ByteBuffer buffer = take(span);
    try {
      ch.run(c -> fill(c, buffer.clear().limit(span), start));
      int skip = (int) (position - start);
      int got = Math.max(0, Math.min(buffer.position() - skip, into.length));
      buffer.get(skip, into, 0, got);
      return got;
    } finally {
      give(buffer);
    }
  }

  private Void fill(FileChannel ch, ByteBuffer buffer, long start) throws IOException {
    while (buffer.hasRemaining()) {
      int n = ch.read(buffer, start + buffer.position());
      // Past the end of the file a read comes back short and unaligned: nothing more to read.
      if (n <= 0 || buffer.position() % alignment != 0) {
        break;
      }
    }
    return null;
  }

  private ReopeningChannel channelOrNull() throws IOException {
    ReopeningChannel ch = channel;
    if (ch != null || unsupported) {
      return ch;
    }
    synchronized (this) {
      if (channel == null && !unsupported) {
        if (closed) {
          throw new ClosedChannelException();
        }
        try {
          alignment = Math.toIntExact(Files.getFileStore(path).getBlockSize());
          channel = ReopeningChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
          unsupported = true;
          if (!UNSUPPORTED_LOGGED.getAndSet(true)) {
            log.info(
                "O_DIRECT reads unavailable ({}: {}), reading through the page cache", path, e);
          }
        }
      }
      return channel;
    }
  }

  synchronized void close() {
    closed = true;
    if (channel != null) {
      channel.close();
    }
  }

  private ByteBuffer take(int bytes) {
    if (bytes > POOLED_BYTES) {
      return aligned(bytes);
    }
    ByteBuffer pooled = POOL.poll();
    return pooled != null && pooled.alignmentOffset(0, alignment) == 0
        ? pooled
        : aligned(POOLED_BYTES);
  }

  private static void give(ByteBuffer buffer) {
    if (buffer.capacity() == POOLED_BYTES) {
      POOL.offer(buffer); // a full pool lets it go to the collector
    }
  }

  private ByteBuffer aligned(int bytes) {
    return ByteBuffer.allocateDirect(bytes + alignment)
        .alignedSlice(alignment)
        .limit(bytes)
        .slice();
  }
}
