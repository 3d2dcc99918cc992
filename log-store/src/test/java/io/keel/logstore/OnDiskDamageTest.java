package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.RaftStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real damage to the files of a stopped store (WAL, SST, MANIFEST, markers and segment files: bytes
 * flipped, files cut or deleted) and the exact outcome: a refusal that names the file, or, for a
 * torn tail of unsynced writes only, an open that drops exactly that tail. Never a store that
 * silently opens with fewer acknowledged entries.
 */
@Timeout(60)
class OnDiskDamageTest {
  private static final long GROUP = 9;
  private static final int SMALL = 300;
  private static final int LARGE = 4000;
  private static final int ENTRIES = 200;

  @TempDir Path dir;

  private Path rocksDir() {
    return dir.resolve(StoreMarker.ROCKSDB_DIR);
  }

  /** Appends {@code ENTRIES} batches, fsyncs, optionally flushes to SST/blob files, closes. */
  private void fill(int batchBytes, boolean flush) {
    try (LogStore store = LogStore.open(Fixtures.config(dir))) {
      RaftStorage s = store.group(GROUP);
      for (int i = 0; i < ENTRIES; i++) {
        s.append(List.of(envelope(1, i + 1, i, 1, i, batchBytes)));
      }
      store.sync();
      if (flush) {
        store.rocks().flush();
      }
    }
  }

  @Test
  void byteFlippedInTheMiddleOfTheWalRefusesToOpen() throws IOException {
    fill(SMALL, false);
    Path wal = only(".log");
    flip(wal, Files.size(wal) / 2);
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    assertTrue(e.getMessage().contains(wal.getFileName().toString()), e.getMessage());
  }

  @Test
  void tornTailOfUnsyncedWritesIsDroppedAndNothingElse() throws IOException {
    LogStore store = open();
    RaftStorage s = store.group(GROUP);
    for (int i = 0; i < ENTRIES; i++) {
      s.append(List.of(envelope(1, i + 1, i, 1, i, SMALL)));
    }
    store.sync();
    store.recordSynced();
    for (int i = ENTRIES; i < ENTRIES + 5; i++) {
      s.append(List.of(envelope(1, i + 1, i, 1, i, SMALL)));
    }
    store.closeWithoutSync();
    Path wal = only(".log");
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(f.length() - 100); // cuts the last record in two
    }
    try (LogStore reopened = open()) {
      RaftStorage r = reopened.group(GROUP);
      assertEquals(ENTRIES + 4, r.lastIndex(), "only the torn last write is dropped");
      List<Entry> all = r.entries(1, r.lastIndex() + 1, Long.MAX_VALUE);
      for (Entry e : all) {
        long i = e.index() - 1;
        assertArrayEquals(envelope(1, i + 1, i, 1, i, SMALL).data(), e.data(), "entry " + i);
      }
    }
  }

  @Test
  void deletedWalRefusesInsteadOfOpeningEmpty() throws IOException {
    fill(SMALL, false);
    Files.delete(only(".log"));
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains("recovered up to sequence 0"), e.getMessage());
    assertTrue(e.getMessage().contains(SyncedSequence.FILE), e.getMessage());
  }

  @Test
  void walCutAtAnySyncedPointRefuses() throws IOException {
    fill(SMALL, false);
    Path wal = only(".log");
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains("missing or was cut"), e.getMessage());
  }

  @Test
  void deletedSstRefusesNamingIt() throws IOException {
    fill(SMALL, true);
    Path sst = largest(".sst");
    Files.delete(sst);
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains(sst.getFileName().toString()), e.getMessage());
  }

  @Test
  void byteFlippedInAnSstFailsTheReadNamingTheFile() throws IOException {
    fill(SMALL, true);
    Path sst = largest(".sst");
    flip(sst, Files.size(sst) / 3);
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> {
              try (LogStore store = open()) {
                store.group(GROUP).entries(1, ENTRIES + 1, Long.MAX_VALUE);
              }
            });
    assertTrue(e.getMessage().contains(sst.getFileName().toString()), e.getMessage());
  }

  @Test
  void deletedSegmentFileRefusesNamingIt() throws IOException {
    fill(LARGE, true);
    Path segment = onlySegment();
    Files.delete(segment);
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::openGroup);
    assertTrue(e.getMessage().contains(segment.toString() + " of group 9"), e.getMessage());
    assertTrue(e.getMessage().contains("is missing"), e.getMessage());
  }

  /** Damage before the tail is found when read (no full scan at open), naming file and index. */
  @Test
  void byteFlippedInASyncedSegmentFailsTheReadNamingFileGroupAndIndex() throws IOException {
    fill(LARGE, false);
    Path segment = onlySegment();
    long frame = SegmentFrame.HEADER_BYTES + BatchEnvelope.HEADER_BYTES + LARGE;
    flip(segment, 99 * frame + frame / 2); // inside raft index 100
    try (LogStore store = open()) {
      RaftStorage s = store.group(GROUP);
      StoreDamagedException e =
          assertThrows(StoreDamagedException.class, () -> s.entries(1, ENTRIES + 1, 1L << 30));
      assertTrue(e.getMessage().contains("raft index 100 of group 9"), e.getMessage());
      assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("frame CRC mismatch"), e.getMessage());
      assertEquals(99, s.entries(1, 100, 1L << 30).size(), "the entries before it are intact");
      CorruptBatchException fetch =
          assertThrows(
              CorruptBatchException.class,
              () -> store.partitionLog(GROUP).read(99, Long.MAX_VALUE, 1 << 20));
      assertTrue(fetch.getMessage().contains(segment.toString()), fetch.getMessage());
    }
  }

  @Test
  void byteFlippedInTheLastSyncedFrameRefusesToOpen() throws IOException {
    fill(LARGE, false);
    Path segment = onlySegment();
    flip(segment, Files.size(segment) - 10);
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::openGroup);
    assertTrue(e.getMessage().contains("synced raft index 200 is damaged"), e.getMessage());
    assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
  }

  @Test
  void segmentCutBelowTheSyncedIndexRefuses() throws IOException {
    fill(LARGE, false);
    Path segment = onlySegment();
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::openGroup);
    assertTrue(e.getMessage().contains(segment + " of group 9"), e.getMessage());
    assertTrue(e.getMessage().contains("synced raft index 200"), e.getMessage());
    assertTrue(e.getMessage().contains("the file was cut"), e.getMessage());
  }

  /**
   * Frames appended after the last sync, the third of five torn: the two whole ones stay, the rest
   * is dropped, the file is cut exactly after the last whole frame and the commit index (written
   * with them, never synced) comes down to the last entry kept.
   */
  @Test
  void tornSegmentTailAfterTheLastSyncIsDroppedExactly() throws IOException {
    LogStore store = open();
    RaftStorage s = store.group(GROUP);
    for (int i = 0; i < ENTRIES; i++) {
      s.append(List.of(envelope(1, i + 1, i, 1, i, LARGE)));
    }
    store.sync();
    List<Entry> tail = new java.util.ArrayList<>();
    for (int i = ENTRIES; i < ENTRIES + 5; i++) {
      tail.add(envelope(1, i + 1, i, 1, i, LARGE));
    }
    s.stageReady(new io.keel.raft.HardState(1, 1, ENTRIES + 5), null, tail);
    store.closeWithoutSync();
    Path segment = onlySegment();
    long frame = SegmentFrame.HEADER_BYTES + BatchEnvelope.HEADER_BYTES + LARGE;
    long wholeEnd = (ENTRIES + 2) * frame;
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      assertEquals((ENTRIES + 5) * frame, f.length());
      f.setLength(wholeEnd + frame / 2);
    }
    try (LogStore reopened = open()) {
      RaftStorage r = reopened.group(GROUP);
      assertEquals(ENTRIES + 2, r.lastIndex(), "only the torn frames are dropped");
      assertEquals(ENTRIES + 2, r.hardState().commit(), "commit lowered to the log's end");
      assertEquals(wholeEnd, Files.size(segment), "file cut after the last whole frame");
      assertEquals(ENTRIES + 2, reopened.partitionLog(GROUP).nextOffset());
      List<Entry> all = r.entries(1, r.lastIndex() + 1, Long.MAX_VALUE);
      assertEquals(ENTRIES + 2, all.size());
      for (Entry e : all) {
        long i = e.index() - 1;
        assertArrayEquals(envelope(1, i + 1, i, 1, i, LARGE).data(), e.data(), "entry " + i);
      }
      r.append(List.of(envelope(1, ENTRIES + 3, ENTRIES + 2, 1, 0, LARGE)));
      reopened.sync();
    }
    try (LogStore again = open()) {
      assertEquals(ENTRIES + 3, again.group(GROUP).lastIndex(), "appends resume after the cut");
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve(SegmentFiles.DIR))) {
      List<Path> found = files.filter(p -> p.toString().endsWith(".seg")).toList();
      assertEquals(1, found.size(), "segment files: " + found);
      return found.get(0);
    }
  }

  @Test
  void deletedManifestRefuses() throws IOException {
    fill(SMALL, true);
    Path manifest = only("MANIFEST-");
    Files.delete(manifest);
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains(manifest.getFileName().toString()), e.getMessage());
  }

  @Test
  void deletedCurrentRefusesInsteadOfCreatingAFreshDatabase() throws IOException {
    fill(SMALL, true);
    Files.delete(rocksDir().resolve("CURRENT"));
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains("CURRENT"), e.getMessage());
  }

  @Test
  void deletedStoreMarkerRefuses() throws IOException {
    fill(SMALL, false);
    Files.delete(dir.resolve(StoreMarker.FILE));
    StoreFormatException e = assertThrows(StoreFormatException.class, this::open);
    assertTrue(e.getMessage().contains("not a Keel store"), e.getMessage());
  }

  @Test
  void deletedSyncedSequenceRefuses() throws IOException {
    fill(SMALL, false);
    Files.delete(dir.resolve(SyncedSequence.FILE));
    StoreDamagedException e = assertThrows(StoreDamagedException.class, this::open);
    assertTrue(e.getMessage().contains(SyncedSequence.FILE + " is missing"), e.getMessage());
  }

  private LogStore open() {
    return LogStore.open(Fixtures.config(dir));
  }

  /** Segment files are checked when their group is opened, so one damaged group stops alone. */
  private void openGroup() {
    try (LogStore store = open()) {
      store.group(GROUP);
    }
  }

  private Path only(String namePart) throws IOException {
    List<Path> found = matching(namePart);
    assertEquals(1, found.size(), "files matching " + namePart + ": " + found);
    return found.get(0);
  }

  private Path largest(String namePart) throws IOException {
    List<Path> found = matching(namePart);
    assertTrue(!found.isEmpty(), "no file matching " + namePart);
    return found.stream().max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
  }

  private List<Path> matching(String namePart) throws IOException {
    try (Stream<Path> files = Files.list(rocksDir())) {
      return files.filter(p -> p.getFileName().toString().contains(namePart)).sorted().toList();
    }
  }

  private static void flip(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }
}
