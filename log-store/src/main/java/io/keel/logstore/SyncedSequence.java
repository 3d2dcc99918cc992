package io.keel.logstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code keel-synced.json} file: a RocksDB sequence number that a completed WAL fsync covered.
 * It lives outside RocksDB, so a store whose WAL, SST or MANIFEST files were deleted or cut (which
 * RocksDB itself may recover as a shorter or empty database: a WAL cut at a record boundary looks
 * like a torn tail) is caught on open: it recovers to a sequence below this one. It is rewritten in
 * the background (at most once per {@link LogStore} recording period) and on close with what the
 * fsync before the last one covered, so it lags the last fsync and never leads what recovery
 * reaches; a genuine torn tail of unsynced writes never trips it.
 */
final class SyncedSequence {
  static final String FILE = "keel-synced.json";
  private static final Pattern FIELD = Pattern.compile("\"syncedSequence\"\\s*:\\s*(\\d+)");

  private SyncedSequence() {}

  /** The recorded sequence; throws naming the file when it is missing or unreadable. */
  static long read(Path dir) {
    Path file = dir.resolve(FILE);
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new StoreDamagedException(
          file + " is missing: the store cannot prove it still holds what it acknowledged", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Matcher m = FIELD.matcher(json);
    if (!m.find()) {
      throw new StoreDamagedException(file + " is damaged (no syncedSequence field): " + json);
    }
    return Long.parseLong(m.group(1));
  }

  /** Replaces the file atomically and durably (write, fsync, rename, fsync the directory). */
  static void write(Path dir, long sequence) {
    String json = "{\"syncedSequence\":" + sequence + "}\n";
    Path tmp = dir.resolve(FILE + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
    }
  }
}
