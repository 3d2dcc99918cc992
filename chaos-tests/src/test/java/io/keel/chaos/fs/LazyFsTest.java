package io.keel.chaos.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.chaos.cluster.JavaCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * keel-lazyfs against the write patterns RocksDB uses (append + fdatasync WAL, file write + fsync +
 * rename, directory fsync), and RocksDB itself killed -9 on it. Skipped where FUSE is unusable.
 */
@Timeout(120)
class LazyFsTest {
  @TempDir Path dir;
  private LazyMount mount;
  private Path mnt;

  @BeforeEach
  void mount() {
    LazyFs.Support fuse = LazyFs.probe();
    assumeTrue(fuse.available(), () -> "FUSE unusable: " + fuse.problem());
    mount =
        LazyMount.mount(
            fuse.binary(), dir.resolve("disk"), dir.resolve("mnt"), dir.resolve("ctl"), "keel-t");
    mnt = mount.mountPoint();
  }

  @AfterEach
  void unmount() {
    if (mount != null) {
      mount.close();
    }
  }

  @Test
  void walAppendsSurviveUpToTheLastDataSync() throws IOException {
    Path wal = mnt.resolve("000001.log");
    try (FileChannel ch =
        FileChannel.open(wal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      syncDir(mnt);
      ch.write(bytes("record-1|"));
      ch.write(bytes("record-2|"));
      ch.force(false);
      ch.write(bytes("record-3|"));
    }
    powerLoss();
    assertEquals("record-1|record-2|", Files.readString(mnt.resolve("000001.log")));
  }

  @Test
  void aRenamedFileNeedsItsDirectorySynced() throws IOException {
    writeSynced(mnt.resolve("CURRENT.dbtmp"), "MANIFEST-000005\n");
    Files.move(
        mnt.resolve("CURRENT.dbtmp"), mnt.resolve("CURRENT"), StandardCopyOption.ATOMIC_MOVE);
    writeSynced(mnt.resolve("000007.sst"), "table");
    syncDir(mnt);
    writeSynced(mnt.resolve("000009.sst"), "later table");
    Files.move(mnt.resolve("000009.sst"), mnt.resolve("000010.sst"));

    powerLoss();

    assertEquals("MANIFEST-000005\n", Files.readString(mnt.resolve("CURRENT")));
    assertFalse(Files.exists(mnt.resolve("CURRENT.dbtmp")));
    assertEquals("table", Files.readString(mnt.resolve("000007.sst")));
    assertFalse(Files.exists(mnt.resolve("000009.sst")), "created after the last directory sync");
    assertFalse(Files.exists(mnt.resolve("000010.sst")));
  }

  @Test
  void replacedAndUnlinkedFilesComeBackUnlessTheDirectoryWasSynced() throws IOException {
    Files.createDirectories(mnt.resolve("db"));
    syncDir(mnt);
    writeSynced(mnt.resolve("db/CURRENT"), "old");
    writeSynced(mnt.resolve("db/OLD.log"), "wal");
    syncDir(mnt.resolve("db"));
    writeSynced(mnt.resolve("db/tmp"), "new");
    Files.move(
        mnt.resolve("db/tmp"), mnt.resolve("db/CURRENT"), StandardCopyOption.REPLACE_EXISTING);
    Files.delete(mnt.resolve("db/OLD.log"));

    powerLoss();

    assertEquals("old", Files.readString(mnt.resolve("db/CURRENT")));
    assertEquals("wal", Files.readString(mnt.resolve("db/OLD.log")));
    assertFalse(Files.exists(mnt.resolve("db/tmp")));
  }

  @Test
  void overwritesAndTruncationsAreUndone() throws IOException {
    Path f = mnt.resolve("MANIFEST-000001");
    writeSynced(f, "0123456789");
    syncDir(mnt);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(bytes("xx"), 3);
      ch.truncate(5);
      ch.write(bytes("tail"), 5);
    }
    powerLoss();
    assertEquals("0123456789", Files.readString(f));
  }

  @Test
  void aTornDropKeepsAPrefixOfTheUnsyncedWrites() throws IOException {
    StringBuilder all = new StringBuilder("synced|");
    Path f = mnt.resolve("wal");
    writeSynced(f, all.toString());
    syncDir(mnt);
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      for (int i = 0; i < 20; i++) {
        String rec = "unsynced-" + i + "|";
        ch.write(bytes(rec));
        all.append(rec);
      }
    }
    mount.torn(42);
    mount.remount();
    String left = Files.readString(f);
    assertTrue(left.startsWith("synced|"), left);
    assertTrue(all.toString().startsWith(left), left);
    assertTrue(left.length() < all.length(), "a torn drop loses something: " + left);
  }

  @Test
  void fullDiskFailsWritesUntilFreed() throws IOException {
    mount.full(true);
    IOException e =
        assertThrows(IOException.class, () -> Files.writeString(mnt.resolve("x"), "data"));
    assertTrue(String.valueOf(e.getMessage()).contains("space"), e.toString());
    assertEquals(0, Files.getFileStore(mnt).getUsableSpace());
    mount.full(false);
    Files.writeString(mnt.resolve("x"), "data");
    assertEquals("data", Files.readString(mnt.resolve("x")));
  }

  @Test
  void aFailedFsyncMakesNothingDurable() throws IOException {
    Path f = mnt.resolve("wal");
    writeSynced(f, "a");
    syncDir(mnt);
    mount.fsyncError(true);
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(bytes("b"));
      assertThrows(IOException.class, () -> ch.force(false));
    }
    powerLoss();
    assertEquals("a", Files.readString(f));
  }

  /**
   * RocksDB killed -9 on the mount: every write it synced survives the power loss, nothing else.
   */
  @ParameterizedTest
  @ValueSource(strings = {"drop", "torn"})
  void rocksDbKeepsExactlyItsSyncedWrites(String mode) throws Exception {
    // A large memtable: the unsynced writes live only in the unsynced WAL tail.
    Path db = mnt.resolve("db");
    killAfterWriting(db, 300, 200, 64L << 20);
    if (mode.equals("drop")) {
      mount.drop();
    } else {
      mount.torn(7);
    }
    mount.remount();
    int[] found = countKeys(db, 300, 500);
    assertEquals(300, found[0], "synced keys present");
    if (mode.equals("drop")) {
      assertEquals(0, found[1], "unsynced keys present after power loss");
    }
  }

  /** Without the drop, a process kill leaves RocksDB's unsynced writes in place (control). */
  @Test
  void aPlainKillKeepsUnsyncedWrites() throws Exception {
    Path db = mnt.resolve("db");
    killAfterWriting(db, 300, 200, 64L << 20);
    mount.remount();
    int[] found = countKeys(db, 300, 500);
    assertEquals(300, found[0]);
    assertEquals(200, found[1]);
  }

  /** Small memtables: flushes write, fsync and rename SSTs, MANIFEST and CURRENT, and sync dirs. */
  @ParameterizedTest
  @ValueSource(strings = {"drop", "torn"})
  void rocksDbReopensAfterFlushesCompactionsAndPowerLoss(String mode) throws Exception {
    Path db = mnt.resolve("db");
    killAfterWriting(db, 1500, 100, 32L << 10);
    if (mode.equals("drop")) {
      mount.drop();
    } else {
      mount.torn(11);
    }
    mount.remount();
    assertEquals(1500, countKeys(db, 1500, 1600)[0], "synced keys present");
    try (var files = Files.list(db)) {
      assertTrue(
          files.anyMatch(p -> p.getFileName().toString().endsWith(".sst")),
          "the run wrote SST files");
    }
  }

  private void killAfterWriting(Path db, int synced, int unsynced, long writeBuffer)
      throws Exception {
    List<String> cmd =
        JavaCommand.of(
            RocksWriter.class.getName(),
            List.of("-Xmx128m"),
            List.of(db.toString(), "" + synced, "" + unsynced, "" + writeBuffer));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals("ready")) {
        seen.append(line).append('\n');
      }
      assertEquals("ready", line, "writer failed:\n" + seen);
    } finally {
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
  }

  /**
   * [synced keys found, unsynced keys found], checking every value and that what survives is a
   * prefix of the writes (they were made in order).
   */
  private static int[] countKeys(Path db, int synced, int total) throws Exception {
    int[] found = new int[2];
    int lastPresent = -1;
    int firstMissing = total;
    try (Options o = new Options();
        RocksDB rocks = RocksDB.open(o, db.toString())) {
      for (int i = 0; i < total; i++) {
        byte[] v = rocks.get(RocksWriter.key(i));
        if (v != null) {
          assertArrayEquals(RocksWriter.value(i), v, "value of key " + i);
          found[i < synced ? 0 : 1]++;
          lastPresent = i;
        } else {
          firstMissing = Math.min(firstMissing, i);
        }
      }
    }
    assertTrue(
        lastPresent < firstMissing, "key " + firstMissing + " lost, " + lastPresent + " kept");
    return found;
  }

  private void powerLoss() {
    mount.drop();
    mount.remount();
  }

  private static void writeSynced(Path file, String content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(bytes(content));
      ch.force(true);
    }
  }

  private static void syncDir(Path d) throws IOException {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }
}
