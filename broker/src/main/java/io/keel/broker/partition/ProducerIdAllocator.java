package io.keel.broker.partition;

import io.keel.raft.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Hands out producer ids unique across the cluster and across restarts without a round trip: {@code
 * (nodeId << 48) | counter}. Node ids are unique, so ids never collide between nodes; the counter
 * is reserved in blocks whose upper end is fsynced to a small file before any id of the block is
 * handed out, so a restart resumes above every id ever returned (skipping at most the rest of a
 * block).
 */
public final class ProducerIdAllocator {
  static final int COUNTER_BITS = 48;
  private static final long COUNTER_LIMIT = 1L << COUNTER_BITS;

  private final Path file;
  private final long nodeBits;
  private final int blockSize;
  // Invariant: next <= reservedEnd, and reservedEnd is durable in file.
  private long next;
  private long reservedEnd;

  public ProducerIdAllocator(Path file, int nodeId, int blockSize) {
    Checks.arg(nodeId > 0 && nodeId < (1 << 15), "nodeId must be in [1, 32767], was %s", nodeId);
    Checks.arg(blockSize > 0, "blockSize must be > 0, was %s", blockSize);
    this.file = file;
    this.nodeBits = (long) nodeId << COUNTER_BITS;
    this.blockSize = blockSize;
    this.reservedEnd = readReservedEnd(file);
    this.next = reservedEnd;
  }

  /** A producer id never returned before by any node. */
  public synchronized long nextProducerId() {
    if (next == reservedEnd) {
      long end = reservedEnd + blockSize;
      Checks.state(end < COUNTER_LIMIT, "producer id counter exhausted at %s", reservedEnd);
      writeReservedEnd(end);
      reservedEnd = end;
    }
    return nodeBits | next++;
  }

  private static long readReservedEnd(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      Checks.state(
          bytes.length == 8, "producer id file %s has %s bytes, expected 8", file, bytes.length);
      long end = ByteBuffer.wrap(bytes).getLong();
      Checks.state(end >= 0 && end < COUNTER_LIMIT, "producer id file %s holds %s", file, end);
      return end;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read producer id file " + file, e);
    }
  }

  private void writeReservedEnd(long end) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(ByteBuffer.allocate(8).putLong(0, end));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist producer id block to " + file, e);
    }
  }
}
