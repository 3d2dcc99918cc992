package io.keel.chaos.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Damage done to one random file of a stopped node's store that holds or locates data (WAL, SST,
 * blob, MANIFEST, CURRENT, the Keel marker): what a bad disk or a bad sector does. RocksDB's info
 * logs, lock, IDENTITY and OPTIONS files are never chosen: RocksDB does not need them to read the
 * data (it is given its options), so damaging them tells nothing.
 */
public enum DiskDamage {
  /** One random bit of the file inverted. */
  BITFLIP,
  /** The file cut to a random shorter length. */
  TRUNCATE,
  /** The file removed. */
  DELETE;

  /** Applies this damage to a file chosen with {@code random}; returns what was done. */
  public String apply(Path storeDir, Random random) {
    List<Path> files = candidates(storeDir, this != DELETE);
    if (files.isEmpty()) {
      return "no file to damage under " + storeDir;
    }
    Path f = files.get(random.nextInt(files.size()));
    String name = storeDir.relativize(f).toString();
    try {
      long size = Files.size(f);
      return switch (this) {
        case BITFLIP -> {
          long at = (long) (random.nextDouble() * size);
          int bit = random.nextInt(8);
          flip(f, at, bit);
          yield "flipped bit %d of byte %d of %s (%d bytes)".formatted(bit, at, name, size);
        }
        case TRUNCATE -> {
          long to = (long) (random.nextDouble() * size);
          try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(to);
          }
          yield "truncated %s from %d to %d bytes".formatted(name, size, to);
        }
        case DELETE -> {
          Files.delete(f);
          yield "deleted %s (%d bytes)".formatted(name, size);
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("damaging " + f, e);
    }
  }

  private static void flip(Path f, long at, int bit) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ (1 << bit)));
      b.rewind();
      ch.write(b, at);
      ch.force(true);
    }
  }

  /** Files worth damaging, in a stable order so a seed picks the same one. */
  static List<Path> candidates(Path storeDir, boolean nonEmpty) {
    if (!Files.isDirectory(storeDir)) {
      return List.of();
    }
    try (Stream<Path> paths = Files.walk(storeDir)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> !ignored(p.getFileName().toString()))
          .filter(p -> !nonEmpty || sizeOf(p) > 0)
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + storeDir, e);
    }
  }

  private static boolean ignored(String name) {
    return name.equals("LOCK")
        || name.equals("LOG")
        || name.startsWith("LOG.old")
        || name.equals("IDENTITY")
        || name.startsWith("OPTIONS-");
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
