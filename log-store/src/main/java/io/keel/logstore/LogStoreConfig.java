package io.keel.logstore;

import io.keel.raft.Checks;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one node's {@link LogStore}.
 *
 * @param dataDir directory holding {@code keel-store.json} and the RocksDB files
 * @param fsyncPolicy when {@code sync()} fsyncs
 * @param segmentBytes a partition's active segment is rolled once it holds this many bytes
 * @param segmentAge a partition's active segment is rolled once it is this old
 * @param writeBufferBytes RocksDB memtable size of the log column family
 * @param minFreeBytes below this many free bytes on the store's volume, {@link
 *     LogStore#checkSpaceFor} refuses new producer data with {@link StorageFullException}, so
 *     RocksDB never reaches ENOSPC in normal operation (flushes, compactions, Raft replication and
 *     metadata still have room); 0 disables the check
 * @param cachedTailBytes bytes at the end of each group's log left in the OS page cache once
 *     fsynced; older synced bytes (and reads of them) are dropped from it, so writes recycle a
 *     bounded set of pages; negative leaves the cache to the kernel, as does fsync {@code never}
 *     (dirty pages cannot be dropped)
 */
public record LogStoreConfig(
    Path dataDir,
    FsyncPolicy fsyncPolicy,
    long segmentBytes,
    Duration segmentAge,
    long writeBufferBytes,
    long minFreeBytes,
    long cachedTailBytes) {

  public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;
  public static final Duration DEFAULT_SEGMENT_AGE = Duration.ofHours(1);
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;
  static final long MIN_WRITE_BUFFER_BYTES = 1L << 20;
  public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;
  public static final long DEFAULT_CACHED_TAIL_BYTES = 32L << 20;

  public LogStoreConfig {
    Checks.arg(dataDir != null, "dataDir is null");
    Checks.arg(fsyncPolicy != null, "fsyncPolicy is null");
    Checks.arg(segmentBytes > 0, "segmentBytes must be > 0, was %s", segmentBytes);
    Checks.arg(segmentAge != null, "segmentAge is null");
    Checks.arg(segmentAge.toMillis() > 0, "segmentAge must be >= 1 ms, was %s", segmentAge);
    Checks.arg(
        writeBufferBytes >= MIN_WRITE_BUFFER_BYTES,
        "writeBufferBytes must be >= %s, was %s",
        MIN_WRITE_BUFFER_BYTES,
        writeBufferBytes);
    Checks.arg(minFreeBytes >= 0, "minFreeBytes must be >= 0, was %s", minFreeBytes);
  }

  /**
   * Defaults: fsync always, 128 MiB / 1 h segments, 64 MiB write buffer, 64 MiB kept free, 32 MiB
   * of each log's tail cached.
   */
  public static LogStoreConfig defaults(Path dataDir) {
    return new LogStoreConfig(
        dataDir,
        FsyncPolicy.always(),
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_SEGMENT_AGE,
        DEFAULT_WRITE_BUFFER_BYTES,
        DEFAULT_MIN_FREE_BYTES,
        DEFAULT_CACHED_TAIL_BYTES);
  }

  public LogStoreConfig withFsyncPolicy(FsyncPolicy policy) {
    return new LogStoreConfig(
        dataDir, policy, segmentBytes, segmentAge, writeBufferBytes, minFreeBytes, cachedTailBytes);
  }

  public LogStoreConfig withSegments(long bytes, Duration age) {
    return new LogStoreConfig(
        dataDir, fsyncPolicy, bytes, age, writeBufferBytes, minFreeBytes, cachedTailBytes);
  }

  public LogStoreConfig withWriteBufferBytes(long bytes) {
    return new LogStoreConfig(
        dataDir, fsyncPolicy, segmentBytes, segmentAge, bytes, minFreeBytes, cachedTailBytes);
  }

  public LogStoreConfig withMinFreeBytes(long bytes) {
    return new LogStoreConfig(
        dataDir, fsyncPolicy, segmentBytes, segmentAge, writeBufferBytes, bytes, cachedTailBytes);
  }

  public LogStoreConfig withCachedTailBytes(long bytes) {
    return new LogStoreConfig(
        dataDir, fsyncPolicy, segmentBytes, segmentAge, writeBufferBytes, minFreeBytes, bytes);
  }
}
