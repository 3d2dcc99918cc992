package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static io.keel.logstore.Fixtures.noop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import io.keel.raft.RaftStorage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synced segment bytes behind each log's cached tail leave the page cache, and reads of them go
 * around it; residency is what util-linux's {@code fincore} reports for each file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CachedTailTest {
  private static final long GROUP = 5;
  private static final int BATCH_BYTES = 256 << 10;
  private static final int BATCHES = 64; // 16 MiB
  private static final long TAIL = 1L << 20;
  private static final long SLACK = 128L << 10; // frame headers, partial pages, readahead

  @TempDir Path tmp;
  private Path dir;
  private LogStore store;

  @BeforeEach
  void needsFincoreOnARealFileSystem() throws IOException {
    assumeTrue(fincore(Files.createTempFile(tmp, "probe", "")) == 0, "needs fincore (util-linux)");
    String fs = Files.getFileStore(tmp).type();
    assumeTrue(
        !fs.equals("tmpfs"), "tmpfs pages cannot leave the page cache; " + tmp + " is " + fs);
    dir = tmp.resolve("store");
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void onlyTheTailOfTheActiveFileStaysCachedAfterAnFsync() throws IOException {
    store = LogStore.open(Fixtures.config(dir).withCachedTailBytes(TAIL));
    write();
    List<Path> files = segmentFiles();
    assertEquals(1, files.size(), files.toString());
    long resident = fincore(files.get(0));
    assertTrue(resident <= TAIL + SLACK, resident + " bytes cached, tail is " + TAIL);
    assertTrue(resident >= TAIL / 2, "the tail itself must stay cached, " + resident + " are");

    readAll();
    long afterRead = fincore(files.get(0));
    assertTrue(afterRead <= TAIL + SLACK, "a read left " + afterRead + " bytes cached");
  }

  @Test
  void aSealedFileLeavesThePageCacheWhole() throws IOException {
    store =
        LogStore.open(
            Fixtures.config(dir)
                .withSegments(4L << 20, Duration.ofDays(1))
                .withCachedTailBytes(TAIL));
    write();
    List<Path> files = segmentFiles();
    assertTrue(files.size() >= 4, files.toString());
    for (Path sealed : files.subList(0, files.size() - 1)) {
      long resident = fincore(sealed);
      assertTrue(resident <= SLACK, sealed + " is sealed and still has " + resident + " cached");
    }
    readAll();
    for (Path sealed : files.subList(0, files.size() - 1)) {
      long resident = fincore(sealed);
      assertTrue(resident <= SLACK, "a read left " + resident + " bytes of " + sealed + " cached");
    }
  }

  /**
   * Behind the tail a read goes around the page cache: it brings nothing in, not even readahead.
   */
  @Test
  void aReadBehindTheTailBringsNothingIntoThePageCache() throws IOException {
    Path probe = Files.createTempFile(tmp, "direct", "");
    try (FileChannel ch =
        FileChannel.open(probe, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
      assumeTrue(ch.isOpen());
    } catch (IOException | UnsupportedOperationException e) {
      assumeTrue(false, tmp + " refuses O_DIRECT: " + e);
    }
    store = LogStore.open(Fixtures.config(dir).withCachedTailBytes(TAIL));
    write();
    Path file = segmentFiles().get(0);
    long before = fincore(file);
    // Batch 20 of 64: 5 MiB into the 16 MiB file, far behind its 1 MiB tail.
    List<StoredBatch> read = store.partitionLog(GROUP).read(200, Long.MAX_VALUE, 1);
    assertArrayEquals(Fixtures.batchBytes(200, BATCH_BYTES), read.get(0).batchBytes());
    assertEquals(before, fincore(file), "bytes cached before and after the read");
  }

  /**
   * Raft reads behind the tail (a follower catching up, read on an event loop) keep the page cache
   * and its readahead: they must not wait on the disk read by read.
   */
  @Test
  void raftReadsBehindTheTailGoThroughThePageCache() throws IOException {
    store = LogStore.open(Fixtures.config(dir).withCachedTailBytes(TAIL));
    write();
    Path file = segmentFiles().get(0);
    long before = fincore(file);
    assertEquals(1, store.group(GROUP).entries(22, 23, Long.MAX_VALUE).size()); // batch 20
    assertTrue(fincore(file) > before, "a Raft read behind the tail went around the page cache");
  }

  /** The control: the same writes with the advice off stay cached, so the checks above can fail. */
  @Test
  void withoutTheAdviceEverySyncedByteStaysCached() throws IOException {
    store = LogStore.open(Fixtures.config(dir).withCachedTailBytes(-1));
    write();
    long resident = fincore(segmentFiles().get(0));
    assertTrue(resident >= (long) BATCHES * BATCH_BYTES, resident + " bytes cached");
  }

  private void write() {
    RaftStorage s = store.group(GROUP);
    s.append(List.of(noop(1, 1)));
    for (int b = 0; b < BATCHES; b++) {
      s.append(List.of(envelope(1, b + 2, b * 10L, 10, 1000, BATCH_BYTES)));
      store.sync();
    }
  }

  private void readAll() {
    PartitionLog p = store.partitionLog(GROUP);
    long offset = 0;
    while (offset < BATCHES * 10L) {
      for (StoredBatch b : p.read(offset, Long.MAX_VALUE, 4 << 20)) {
        assertArrayEquals(Fixtures.batchBytes(b.baseOffset(), BATCH_BYTES), b.batchBytes());
        offset = b.nextOffset();
      }
    }
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(SegmentFiles.DIR).resolve(Long.toString(GROUP)))) {
      return s.sorted().toList();
    }
  }

  /** Bytes of {@code file} in the page cache, or -1 without fincore. */
  private static long fincore(Path file) throws IOException {
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return -1;
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "fincore hung");
      return p.exitValue() == 0 ? Long.parseLong(out) : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
