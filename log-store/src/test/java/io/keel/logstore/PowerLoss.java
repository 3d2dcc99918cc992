package io.keel.logstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Simulates power loss for a store in this JVM: the WAL and the segment files are what a sync makes
 * durable, so what survives a power cut is each WAL and segment file up to the size it had when the
 * last sync returned. {@link #crashAndReopen} closes the store without a final fsync and cuts every
 * such file back to that size (files created after the last sync are emptied), which is the state a
 * power cut can leave; with a random source it keeps a random prefix of the unsynced bytes of each
 * file (a torn last write). SST files are left whole: RocksDB syncs them itself before it uses
 * them, so a flush may make pointers durable whose frames were not synced.
 */
final class PowerLoss {
  private final LogStoreConfig config;
  private final Map<Path, Long> syncedWalBytes = new HashMap<>();
  private long fsyncs;

  PowerLoss(LogStoreConfig config) {
    this.config = config;
  }

  LogStore open() {
    synchronized (this) {
      syncedWalBytes.clear();
      recordSynced();
      fsyncs = 0;
    }
    return LogStore.open(config, InstantSource.system(), this::recordWalSynced, this::recordSynced);
  }

  /** Crashes {@code store} and reopens it from what its last fsync made durable. */
  LogStore crashAndReopen(LogStore store) {
    return crashAndReopen(store, null);
  }

  /**
   * Like {@link #crashAndReopen(LogStore)}, but each WAL keeps a random prefix of its unsynced
   * bytes too ({@code tear} non-null): the disk wrote back part of them, the last write torn.
   */
  LogStore crashAndReopen(LogStore store, SplittableRandom tear) {
    store.closeWithoutSync();
    synchronized (this) {
      for (Path wal : durableFiles()) {
        long synced = syncedWalBytes.getOrDefault(wal, 0L);
        long size = size(wal);
        long kept = tear == null || size <= synced ? 0 : tear.nextLong(size - synced + 1);
        cut(wal, synced + kept);
      }
    }
    return open();
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** WAL fsyncs the store has completed since it was opened. */
  synchronized long fsyncs() {
    return fsyncs;
  }

  /** At open: what is on disk now is what survived. */
  private synchronized void recordSynced() {
    durableFiles().forEach(this::recordSynced);
  }

  private synchronized void recordWalSynced() {
    fsyncs++;
    durableFiles().stream().filter(p -> p.toString().endsWith(".log")).forEach(this::recordSynced);
  }

  /** After the store fsynced {@code file} (a WAL after its fsync, a segment file after its own). */
  private synchronized void recordSynced(Path file) {
    try {
      syncedWalBytes.put(file, Files.size(file));
    } catch (IOException e) {
      // A file deleted as obsolete between listing and sizing no longer matters.
    }
  }

  private List<Path> durableFiles() {
    List<Path> out = new java.util.ArrayList<>();
    Path rocks = config.dataDir().resolve(StoreMarker.ROCKSDB_DIR);
    if (Files.isDirectory(rocks)) {
      try (Stream<Path> files = Files.list(rocks)) {
        files.filter(p -> p.getFileName().toString().endsWith(".log")).forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path segments = config.dataDir().resolve(SegmentFiles.DIR);
    if (Files.isDirectory(segments)) {
      try (Stream<Path> files = Files.walk(segments)) {
        files.filter(p -> p.getFileName().toString().endsWith(".seg")).forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static void cut(Path wal, long bytes) {
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
      if (ch.size() > bytes) {
        ch.truncate(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cut " + wal, e);
    }
  }
}
