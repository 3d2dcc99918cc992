package io.keel.logstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * The free space of the store's volume, read with one {@code statvfs} at most every {@link
 * #REFRESH_MS} and cached in between, so a check before every produce costs a field read. A
 * threshold of 0 disables the check.
 */
final class DiskSpace {
  static final long REFRESH_MS = 100;

  private final Path dir;
  private final FileStore store;
  private final long minFreeBytes;
  private final InstantSource clock;
  private volatile long usableBytes;
  private volatile long readAtMs;

  DiskSpace(Path dir, long minFreeBytes, InstantSource clock) {
    this.dir = dir;
    this.minFreeBytes = minFreeBytes;
    this.clock = clock;
    try {
      this.store = Files.getFileStore(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find the volume of " + dir, e);
    }
    refresh(clock.millis());
  }

  /** Throws {@link StorageFullException} if writing {@code bytes} would go below the threshold. */
  void checkFor(long bytes) {
    if (minFreeBytes == 0) {
      return;
    }
    long usable = usable();
    if (usable - bytes < minFreeBytes) {
      throw new StorageFullException(
          "disk full: "
              + usable
              + " bytes free on the volume of "
              + dir
              + ", below storage.min.free.bytes "
              + minFreeBytes
              + " (with this write of "
              + bytes
              + " bytes); writes resume once space is freed",
          null);
    }
  }

  private long usable() {
    long now = clock.millis();
    if (now - readAtMs >= REFRESH_MS || now < readAtMs) {
      refresh(now);
    }
    return usableBytes;
  }

  private void refresh(long now) {
    try {
      usableBytes = store.getUsableSpace();
    } catch (IOException e) {
      throw new StorageException("cannot read the free space of " + dir, e);
    }
    readAtMs = now;
  }
}
