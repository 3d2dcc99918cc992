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
 * Simulates power loss for a store in this JVM: the WAL is the durability point, so what survives a
 * power cut is each WAL file up to the size it had when the last fsync returned. {@link #crash}
 * closes RocksDB without a final fsync and cuts every WAL file back to that size (files created
 * after the last fsync are emptied), which is exactly the state a power cut can leave; with a
 * random source it keeps a random prefix of the unsynced bytes (a torn last write).
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
    return LogStore.open(config, InstantSource.system(), this::recordSynced);
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
      for (Path wal : walFiles()) {
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

  private synchronized void recordSynced() {
    fsyncs++;
    for (Path wal : walFiles()) {
      try {
        syncedWalBytes.put(wal, Files.size(wal));
      } catch (IOException e) {
        // A WAL deleted as obsolete between listing and sizing no longer matters.
      }
    }
  }

  private List<Path> walFiles() {
    Path dir = config.dataDir().resolve(StoreMarker.ROCKSDB_DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void cut(Path wal, long bytes) {
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
      if (ch.size() > bytes) {
        ch.truncate(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cut WAL " + wal, e);
    }
  }
}
