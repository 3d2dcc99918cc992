package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.RaftStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A byte flipped on disk inside one batch's bytes (in the segment file that holds them, as a bad
 * disk would leave it) is caught on every read path by the frame's CRC32C, which covers it (the
 * envelope's CRC is checked when the entry is appended). The fetch path serves the intact batches
 * before it and names its offset and file.
 */
@Timeout(60)
class CorruptionTest {
  private static final long GROUP = 21;
  private static final int BATCH_BYTES = 2000;

  @TempDir Path dir;
  private LogStore store;

  @BeforeEach
  void fill() {
    store = LogStore.open(Fixtures.config(dir));
    RaftStorage s = store.group(GROUP);
    // Raft index i + 1 holds offsets [5i, 5i + 5).
    for (int i = 0; i < 4; i++) {
      s.append(List.of(envelope(1, i + 1, i * 5L, 5, 100, BATCH_BYTES)));
    }
    store.sync();
    store.rocks().flush();
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    store.close();
  }

  /** Positions inside the batch bytes: near the start, the middle, the last byte. */
  @ParameterizedTest
  @ValueSource(ints = {1, 1000, BATCH_BYTES - 1})
  void damagedBatchIsReportedNamingPartitionAndOffset(int byteAt) throws IOException {
    damageOnDisk(10, byteAt);
    PartitionLog p = store.partitionLog(GROUP);

    List<StoredBatch> intact = p.read(0, Long.MAX_VALUE, Integer.MAX_VALUE);
    assertEquals(List.of(0L, 5L), intact.stream().map(StoredBatch::baseOffset).toList());
    CorruptBatchException e =
        assertThrows(
            CorruptBatchException.class, () -> p.read(10, Long.MAX_VALUE, Integer.MAX_VALUE));
    assertEquals(GROUP, e.groupId());
    assertEquals(10, e.offset());
    assertTrue(e.getMessage().contains("partition group 21 at offset 10"), e.getMessage());
    assertTrue(e.getMessage().contains("frame CRC mismatch"), e.getMessage());
    assertTrue(e.getMessage().contains(damagedFile.getFileName().toString()), e.getMessage());
    assertThrows(CorruptBatchException.class, () -> p.read(12, Long.MAX_VALUE, 1));
    assertEquals(15, p.read(15, Long.MAX_VALUE, 1).get(0).baseOffset(), "batches after it");
  }

  /** With no cached tail every synced byte is read around the page cache ({@code O_DIRECT}). */
  @Test
  void aDamagedBatchIsCaughtByReadsThatBypassThePageCache() throws IOException {
    damageOnDisk(10, 1000);
    store.close();
    store = LogStore.open(Fixtures.config(dir).withCachedTailBytes(0));
    store.group(GROUP).append(List.of(envelope(1, 5, 20, 5, 100, BATCH_BYTES)));
    store.sync(); // drops the active file's synced bytes from the cache: reads go direct
    PartitionLog p = store.partitionLog(GROUP);

    assertEquals(
        List.of(0L, 5L),
        p.read(0, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
            .map(StoredBatch::baseOffset)
            .toList());
    CorruptBatchException e =
        assertThrows(CorruptBatchException.class, () -> p.read(10, Long.MAX_VALUE, 1));
    assertTrue(e.getMessage().contains("frame CRC mismatch"), e.getMessage());
    assertEquals(20, p.read(20, Long.MAX_VALUE, 1).get(0).baseOffset(), "the batch appended after");
  }

  @Test
  void raftReadsOfADamagedEntryFailToo() throws IOException {
    damageOnDisk(5, 7);
    RaftStorage s = store.group(GROUP);
    StoreDamagedException e =
        assertThrows(StoreDamagedException.class, () -> s.entries(1, 5, Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("raft index 2 of group 21"), e.getMessage());
    assertTrue(e.getMessage().contains("frame CRC mismatch"), e.getMessage());
    assertTrue(e.getMessage().contains(damagedFile.toString()), e.getMessage());
    assertEquals(1, s.entries(1, 2, Long.MAX_VALUE).size());
  }

  private Path damagedFile;

  /**
   * Closes the store, flips one byte of the batch at {@code offset} in the segment file holding it,
   * and reopens.
   */
  private void damageOnDisk(long offset, int byteAt) throws IOException {
    store.close();
    byte[] batch = Fixtures.batchBytes(offset, BATCH_BYTES);
    byte[] needle = java.util.Arrays.copyOf(batch, 16);
    List<Path> blobs;
    try (Stream<Path> files = Files.walk(dir.resolve(SegmentFiles.DIR))) {
      blobs = files.filter(f -> f.toString().endsWith(".seg")).toList();
    }
    boolean damaged = false;
    for (Path blob : blobs) {
      byte[] bytes = Files.readAllBytes(blob);
      int at = indexOf(bytes, needle);
      if (at >= 0) {
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
          f.seek(at + byteAt);
          f.write(bytes[at + byteAt] ^ 0x10);
        }
        damaged = true;
        damagedFile = blob;
      }
    }
    assertTrue(damaged, "batch " + offset + " not found in segment files " + blobs);
    store = LogStore.open(Fixtures.config(dir));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
