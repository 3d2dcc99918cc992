package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening the wrong directory fails with a clear message and leaves the directory untouched. */
class StoreFormatTest {
  @TempDir Path dir;

  @Test
  void createsTheMarkerInANewOrEmptyDirectory() throws IOException {
    Path fresh = dir.resolve("a/b");
    LogStore.open(Fixtures.config(fresh)).close();
    String marker = Files.readString(fresh.resolve("keel-store.json"));
    assertTrue(marker.contains("\"format\":\"keel-log-store\""), marker);
    assertTrue(marker.contains("\"version\":2"), marker);
    LogStore.open(Fixtures.config(fresh)).close();
  }

  @Test
  void refusesANonEmptyDirectoryThatIsNotAKeelStore() throws IOException {
    Files.writeString(dir.resolve("postgresql.conf"), "x");
    Files.createDirectory(dir.resolve("base"));
    List<String> before = listing(dir);
    StoreFormatException e =
        assertThrows(StoreFormatException.class, () -> LogStore.open(Fixtures.config(dir)));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not a Keel store"), e.getMessage());
    assertTrue(e.getMessage().contains("[base, postgresql.conf]"), e.getMessage());
    assertEquals(before, listing(dir));
  }

  @Test
  void refusesAStoreWrittenByANewerVersion() throws IOException {
    LogStore.open(Fixtures.config(dir)).close();
    Files.writeString(
        dir.resolve("keel-store.json"), "{\"format\":\"keel-log-store\",\"version\":3}");
    List<String> before = listing(dir);
    StoreFormatException e =
        assertThrows(StoreFormatException.class, () -> LogStore.open(Fixtures.config(dir)));
    assertTrue(e.getMessage().contains("format version 3"), e.getMessage());
    assertTrue(e.getMessage().contains("up to 2"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertEquals(before, listing(dir));
  }

  /** Version 1 kept the batches inside RocksDB: this build cannot read them, and says so. */
  @Test
  void refusesAStoreOfTheOlderInRocksDbFormat() throws IOException {
    LogStore.open(Fixtures.config(dir)).close();
    Files.writeString(
        dir.resolve("keel-store.json"), "{\"format\":\"keel-log-store\",\"version\":1}");
    List<String> before = listing(dir);
    StoreFormatException e =
        assertThrows(StoreFormatException.class, () -> LogStore.open(Fixtures.config(dir)));
    assertTrue(e.getMessage().contains("store format version 1"), e.getMessage());
    assertTrue(e.getMessage().contains("reads version 2"), e.getMessage());
    assertEquals(before, listing(dir));
  }

  @Test
  void refusesAMarkerOfAnotherFormat() throws IOException {
    Files.writeString(
        dir.resolve("keel-store.json"), "{\"format\":\"keel-metadata\",\"version\":1}");
    StoreFormatException e =
        assertThrows(StoreFormatException.class, () -> LogStore.open(Fixtures.config(dir)));
    assertTrue(e.getMessage().contains("'keel-metadata'"), e.getMessage());
  }

  /** Every path under {@code root} with its size and modification time. */
  private static List<String> listing(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.sorted()
          .map(
              p -> {
                try {
                  return p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }
}
