package io.keel.logstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code keel-store.json} file that marks a directory as a Keel log store and records its
 * format version. It is checked before anything in the directory is touched, so opening the wrong
 * directory, or one written by a newer Keel, fails without side effects.
 */
final class StoreMarker {
  static final String FILE = "keel-store.json";
  static final String FORMAT = "keel-log-store";
  // 2: record batches in segment files, RocksDB holds pointers (1 kept them in RocksDB blobs).
  static final int VERSION = 2;
  static final String ROCKSDB_DIR = "rocksdb";

  private static final Pattern FORMAT_FIELD = Pattern.compile("\"format\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern VERSION_FIELD = Pattern.compile("\"version\"\\s*:\\s*(\\d+)");
  private static final int LISTED_ENTRIES_MAX = 10;
  private static final Set<String> CREATION_LEFTOVERS =
      Set.of(SyncedSequence.FILE, SyncedSequence.FILE + ".tmp", FILE + ".tmp");

  private StoreMarker() {}

  /**
   * Checks {@code dir} and creates the marker when the directory is new or empty; returns whether
   * it created a new store (only then may RocksDB create its database).
   */
  static boolean checkOrCreate(Path dir) {
    try {
      Path marker = dir.resolve(FILE);
      if (Files.exists(marker)) {
        check(dir, Files.readString(marker, StandardCharsets.UTF_8));
        return false;
      }
      if (Files.exists(dir)) {
        refuseIfNotEmpty(dir);
      }
      Files.createDirectories(dir);
      SyncedSequence.write(dir, 0);
      write(dir);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the Keel store marker in " + dir, e);
    }
  }

  private static void check(Path dir, String json) {
    Matcher format = FORMAT_FIELD.matcher(json);
    Matcher version = VERSION_FIELD.matcher(json);
    if (!format.find() || !version.find()) {
      throw new StoreFormatException(
          dir + "/" + FILE + " is not a Keel store marker (no format/version field): " + json);
    }
    if (!format.group(1).equals(FORMAT)) {
      throw new StoreFormatException(
          dir + " holds format '" + format.group(1) + "', not a Keel log store ('" + FORMAT + "')");
    }
    long found = Long.parseLong(version.group(1));
    if (found > VERSION) {
      throw new StoreFormatException(
          dir
              + " was written by a newer Keel: store format version "
              + found
              + ", this build reads versions up to "
              + VERSION
              + "; refusing to open it");
    }
    if (found < VERSION) {
      throw new StoreFormatException(
          dir
              + " holds store format version "
              + found
              + " (record batches inside RocksDB); this build reads version "
              + VERSION
              + " (segment files) only: rebuild this node's replicas from the others");
    }
  }

  private static void refuseIfNotEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new StoreFormatException(dir + " exists and is not a directory");
    }
    List<String> names;
    try (Stream<Path> entries = Files.list(dir)) {
      // What a crash while creating a store leaves behind: the store was never opened.
      names =
          entries
              .map(p -> p.getFileName().toString())
              .filter(n -> !CREATION_LEFTOVERS.contains(n))
              .sorted()
              .toList();
    }
    if (!names.isEmpty()) {
      List<String> shown = names.subList(0, Math.min(names.size(), LISTED_ENTRIES_MAX));
      throw new StoreFormatException(
          dir
              + " is not empty and has no "
              + FILE
              + ", so it is not a Keel store; found "
              + names.size()
              + " entries: "
              + shown
              + "; refusing to touch it");
    }
  }

  private static void write(Path dir) throws IOException {
    String json = "{\"format\":\"" + FORMAT + "\",\"version\":" + VERSION + "}\n";
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
