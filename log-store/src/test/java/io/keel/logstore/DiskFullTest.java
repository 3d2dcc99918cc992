package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.raft.RaftStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk surfaces to the writer as {@link StorageFullException}; the store stays readable and
 * takes writes again once space is freed. Runs on a 64 MiB tmpfs, so it needs root (mount); it is
 * skipped where mounting is not allowed.
 */
@Timeout(90)
class DiskFullTest {
  private static final long GROUP = 5;
  private static final int BATCH_BYTES = 64 * 1024;
  private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private Path mountPoint;
  private boolean mounted;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    mountPoint = tmp.resolve("disk");
    Files.createDirectories(mountPoint);
    mounted = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mountPoint.toString());
    assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      assertTrue(run("umount", mountPoint.toString()), "umount " + mountPoint);
    }
  }

  /** Below storage.min.free.bytes new data is refused at once, long before RocksDB's ENOSPC. */
  @Test
  @Timeout(30)
  void thresholdRefusesNewDataFastAndLiftsWhenSpaceReturns() throws Exception {
    Path ballast = mountPoint.resolve("ballast");
    Path dataDir = mountPoint.resolve("store");
    LogStoreConfig config =
        LogStoreConfig.defaults(dataDir)
            .withWriteBufferBytes(LogStoreConfig.MIN_WRITE_BUFFER_BYTES)
            .withMinFreeBytes(32L << 20);
    try (LogStore store = LogStore.open(config)) {
      PartitionLog p = store.partitionLog(GROUP);
      p.checkSpaceFor(BATCH_BYTES);
      Files.write(ballast, new byte[40 << 20]);
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      StorageFullException full = null;
      while (full == null) {
        try {
          p.checkSpaceFor(BATCH_BYTES);
          assertTrue(System.nanoTime() < deadline, "threshold not seen within 2 s");
          Thread.sleep(10);
        } catch (StorageFullException e) {
          full = e;
        }
      }
      assertTrue(full.getMessage().contains("storage.min.free.bytes"), full.getMessage());
      assertTrue(full.getMessage().contains(dataDir.toString()), full.getMessage());
      // Raft and reads are not held back by the threshold.
      store.group(GROUP).append(List.of(envelope(1, 1, 0, 1, 0, BATCH_BYTES)));
      store.sync();
      assertEquals(1, p.read(0, Long.MAX_VALUE, 1).size());

      Files.delete(ballast);
      deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (true) {
        try {
          p.checkSpaceFor(BATCH_BYTES);
          break;
        } catch (StorageFullException e) {
          assertTrue(System.nanoTime() < deadline, "threshold not lifted within 2 s");
          Thread.sleep(10);
        }
      }
    }
  }

  @Test
  void fullDiskFailsTheWriteKeepsReadsAndRecoversWhenSpaceReturns() throws Exception {
    Path ballast = mountPoint.resolve("ballast");
    Files.write(ballast, new byte[24 << 20]);
    Path dataDir = mountPoint.resolve("store");
    LogStoreConfig config =
        LogStoreConfig.defaults(dataDir)
            .withWriteBufferBytes(LogStoreConfig.MIN_WRITE_BUFFER_BYTES)
            .withMinFreeBytes(0);
    try (LogStore store = LogStore.open(config)) {
      RaftStorage s = store.group(GROUP);
      long index = 0;
      StorageFullException full = null;
      while (full == null) {
        try {
          s.append(List.of(envelope(1, index + 1, index, 1, 0, BATCH_BYTES)));
          store.sync();
          index++;
        } catch (StorageFullException e) {
          full = e;
        }
        assertTrue(index < 1000, "64 MiB disk never filled");
      }
      assertTrue(full.getMessage().contains("disk full"), full.getMessage());
      assertTrue(full.getMessage().contains(dataDir.toString()), full.getMessage());
      long synced = index;
      assertTrue(synced > 10, "wrote only " + synced + " batches");

      // Readable while full; the failed append left nothing visible.
      assertEquals(synced, s.lastIndex());
      PartitionLog p = store.partitionLog(GROUP);
      assertEquals(synced, p.nextOffset());
      assertArrayEquals(
          Fixtures.batchBytes(3, BATCH_BYTES), p.read(3, Long.MAX_VALUE, 1).get(0).batchBytes());

      Files.delete(ballast);
      long next = appendUntilAccepted(store, s, synced);
      assertEquals(synced + 1, next);
      assertEquals(synced + 1, p.nextOffset());
    }
    try (LogStore reopened = LogStore.open(config)) {
      assertEquals(synced(reopened), reopened.group(GROUP).lastIndex());
    }
  }

  private static long synced(LogStore store) {
    return store.partitionLog(GROUP).nextOffset();
  }

  /** Once space returns RocksDB clears its error in the background; retry until it has. */
  private static long appendUntilAccepted(LogStore store, RaftStorage s, long index)
      throws InterruptedException {
    long deadline = System.nanoTime() + RECOVERY_DEADLINE.toNanos();
    while (true) {
      try {
        s.append(List.of(envelope(1, index + 1, index, 1, 0, BATCH_BYTES)));
        store.sync();
        return index + 1;
      } catch (StorageException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("store did not recover within " + RECOVERY_DEADLINE, e);
        }
        Thread.sleep(50);
      }
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    return done && p.exitValue() == 0;
  }
}
