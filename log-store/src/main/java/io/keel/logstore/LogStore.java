package io.keel.logstore;

import io.keel.raft.DurableStore;
import io.keel.raft.RaftStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's durable store: every Raft group's entries in its own append-only segment files, and the
 * hard states, snapshots, entry pointers and indexes of all groups in one RocksDB, so one {@link
 * #sync()} (the dirty segment files' fsyncs, then one WAL fsync) makes the staged writes of all
 * groups durable together.
 *
 * <p>Use: {@link #group(long)} is the {@code RaftStorage} a group's {@code RaftNode} runs on (the
 * Ready executor stages into it, then calls {@link #sync()} once for all groups); {@link
 * #partitionLog(long)} is the offset view the fetch path reads. The leader wraps each producer
 * batch in a {@link BatchEnvelope} carrying the offsets it assigned; staging that entry indexes it.
 * Retention: {@link PartitionLog#applyRetention} names a segment boundary, the broker snapshots
 * there and compacts the Raft log, which drops the segments.
 *
 * <p>Layout of the data directory: {@code keel-store.json} (format marker, checked before anything
 * else is touched), {@code rocksdb/} and {@code segments/<groupId>/} (the entries' frames). Key and
 * value formats are in docs/format.md.
 */
public final class LogStore implements DurableStore {
  private static final Logger log = LoggerFactory.getLogger(LogStore.class);
  private static final Duration SEQUENCE_RECORD_PERIOD = Duration.ofSeconds(1);
  private static final long RECOVERED_SEQUENCE_SLACK = 1;

  private final LogStoreConfig config;
  private final InstantSource clock;
  private final Rocks rocks;
  private final GroupCommit groupCommit;
  private final DiskSpace space;
  private final Map<Long, GroupLog> groups = new ConcurrentHashMap<>();
  private final Consumer<Path> afterSegmentFsync;
  private final ExecutorService segmentFsync =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "keel-log-store-segment-fsync");
            t.setDaemon(true);
            return t;
          });
  private final ScheduledExecutorService background;
  private volatile RuntimeException intervalFailure;
  // Highest RocksDB sequence a completed WAL fsync covered, and the one last recorded on disk.
  private final AtomicLong syncedSequence;
  // Written term/vote changes, and how many of them an fsync has covered (Never and Interval).
  private final AtomicLong votesWritten = new AtomicLong();
  private final AtomicLong votesSynced = new AtomicLong();
  private final AtomicLong previousCovered;
  private long recordedSequence; // guarded by this
  private boolean closed; // guarded by this

  private LogStore(
      LogStoreConfig config,
      InstantSource clock,
      Rocks rocks,
      long recorded,
      Runnable afterFsync,
      Consumer<Path> afterSegmentFsync) {
    this.afterSegmentFsync = afterSegmentFsync;
    this.config = config;
    this.clock = clock;
    this.rocks = rocks;
    this.space = new DiskSpace(config.dataDir(), config.minFreeBytes(), clock);
    this.syncedSequence = new AtomicLong(recorded);
    this.previousCovered = new AtomicLong(recorded);
    this.recordedSequence = recorded;
    this.groupCommit =
        new GroupCommit(
            () -> {
              long covered = rocks.latestSequence();
              List<GroupLog.SyncPoint> points = fsyncSegmentsAndWal();
              // Record what the previous fsync covered: RocksDB may recover the very last write
              // batch to a sequence below the one read here (seen after a range deletion), so
              // the marker trails by one fsync and never exceeds what recovery reaches.
              syncedSequence.accumulateAndGet(previousCovered.getAndSet(covered), Math::max);
              afterFsync.run();
            });
    this.background = startBackground();
  }

  /**
   * The segment files' fdatasyncs (on the segment-fsync thread) and the WAL fsync (on this one) run
   * at once: a sync waits for the slower, not the sum. Only once both are done is the synced index
   * written, so it reaches the disk with the next WAL fsync and never leads the frames it covers
   * (it trails them by one sync; pointers the WAL made durable before their frames are exactly what
   * recovery verifies). Then the files of removed segments, whose removal the WAL fsync made
   * durable, are deleted.
   */
  private List<GroupLog.SyncPoint> fsyncSegmentsAndWal() {
    List<GroupLog.SyncPoint> points = new ArrayList<>();
    for (GroupLog g : groups.values()) {
      points.add(g.syncPoint());
    }
    Future<?> segments = segmentFsync.submit(() -> points.forEach(GroupLog::force));
    try {
      rocks.syncWal();
    } finally {
      awaitSegments(segments);
    }
    for (GroupLog.SyncPoint p : points) {
      p.group().recordSynced(p);
    }
    for (GroupLog.SyncPoint p : points) {
      p.group().deleteFiles(p.deletes());
    }
    return points;
  }

  private static void awaitSegments(Future<?> segments) {
    try {
      segments.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new StorageException("segment fsync failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the segment fsync", e);
    }
  }

  /** Opens (or creates) the store in {@code config.dataDir()}. */
  public static LogStore open(LogStoreConfig config) {
    return open(config, InstantSource.system());
  }

  /** Opens the store with a clock for segment ages (tests roll segments by age with it). */
  public static LogStore open(LogStoreConfig config, InstantSource clock) {
    return open(config, clock, () -> {}, file -> {});
  }

  /**
   * Opens the store, running {@code afterFsync} after each WAL fsync and {@code afterSegmentFsync}
   * after each segment file's fsync (the power-loss harness records what is durable with them).
   */
  static LogStore open(
      LogStoreConfig config,
      InstantSource clock,
      Runnable afterFsync,
      Consumer<Path> afterSegmentFsync) {
    Path dir = config.dataDir();
    boolean created = StoreMarker.checkOrCreate(dir);
    long recorded = SyncedSequence.read(dir);
    createSegmentsDir(dir);
    Rocks rocks =
        Rocks.open(dir.resolve(StoreMarker.ROCKSDB_DIR), config.writeBufferBytes(), created);
    long recovered = rocks.latestSequence();
    // RocksDB can report the last sequence one below what it reported before a clean close when the
    // final write ended in a range deletion (seen twice: 9 after 10, 23 after 24); one sequence of
    // slack keeps that from refusing a healthy store, while a deleted or cut WAL loses far more.
    if (recovered + RECOVERED_SEQUENCE_SLACK < recorded) {
      rocks.close();
      throw new StoreDamagedException(
          "RocksDB in "
              + dir.resolve(StoreMarker.ROCKSDB_DIR)
              + " recovered up to sequence "
              + recovered
              + " but "
              + dir.resolve(SyncedSequence.FILE)
              + " records that sequence "
              + recorded
              + " was fsynced: a WAL, SST or MANIFEST file is missing or was cut; refusing to"
              + " open a store that lost acknowledged writes");
    }
    return new LogStore(config, clock, rocks, recorded, afterFsync, afterSegmentFsync);
  }

  private static void createSegmentsDir(Path dir) {
    Path segments = dir.resolve(SegmentFiles.DIR);
    if (!java.nio.file.Files.isDirectory(segments)) {
      try {
        java.nio.file.Files.createDirectories(segments);
      } catch (java.io.IOException e) {
        throw SegmentFile.error("create " + segments, e);
      }
      SegmentFiles.forceDirectory(dir);
    }
  }

  public LogStoreConfig config() {
    return config;
  }

  /**
   * Refuses new data of {@code bytes} with {@link StorageFullException} when the volume's free
   * space would drop below {@link LogStoreConfig#minFreeBytes()}. Cheap (the free space is cached
   * for 100 ms); the broker calls it before proposing a producer batch.
   */
  public void checkSpaceFor(long bytes) {
    space.checkFor(bytes);
  }

  @Override
  public RaftStorage group(long groupId) {
    return groupLog(groupId);
  }

  /** The offset view of group {@code groupId}'s partition. */
  public PartitionLog partitionLog(long groupId) {
    return new PartitionLog(groupLog(groupId), space);
  }

  GroupLog groupLog(long groupId) {
    return groups.computeIfAbsent(
        groupId, id -> new GroupLog(id, rocks, clock, config, afterSegmentFsync));
  }

  Rocks rocks() {
    return rocks;
  }

  /**
   * Writes every group's staged Ready, then fsyncs as the policy says. A staged change of a term or
   * vote is fsynced whatever the policy: a node that forgot its vote after a power loss could vote
   * twice in one term, and the messages sent after this call depend on it.
   */
  @Override
  public void sync() {
    writeStaged();
    switch (config.fsyncPolicy()) {
      case FsyncPolicy.Always always -> groupCommit.sync();
      case FsyncPolicy.Interval interval -> {
        throwIfIntervalFailed();
        syncVotes();
      }
      case FsyncPolicy.Never never -> syncVotes();
    }
  }

  /**
   * Fsyncs if any group's term or vote was written and not yet covered by an fsync, whichever
   * thread wrote it: another loop's sync may have written (and counted) this loop's vote, and this
   * loop must not send that vote before the fsync covering it has finished.
   */
  private void syncVotes() {
    long written = votesWritten.get();
    if (written > votesSynced.get()) {
      groupCommit.sync();
      votesSynced.accumulateAndGet(written, Math::max);
    }
  }

  /** Writes every group's open batch, counting those that changed a term or vote. */
  private void writeStaged() {
    for (GroupLog g : groups.values()) {
      g.writeOpen("write the staged Ready of group " + g.groupId);
      g.takeVoteUnsynced(votesWritten);
    }
  }

  @Override
  public void dropGroup(long groupId) {
    Keys.checkGroup(groupId);
    GroupLog dropped = groups.remove(groupId);
    if (dropped != null) {
      dropped.markDropped();
    }
    byte[] start = Keys.groupStart(groupId);
    byte[] end = Keys.groupEnd(groupId);
    try (WriteBatch wb = new WriteBatch()) {
      wb.deleteRange(rocks.log, start, end);
      wb.deleteRange(rocks.state, start, end);
      wb.deleteRange(rocks.offsets, start, end);
      wb.deleteRange(rocks.times, start, end);
      wb.deleteRange(rocks.segments, start, end);
      rocks.write(wb, "drop group " + groupId);
    } catch (RocksDBException e) {
      throw Rocks.error(rocks.dir, "drop group " + groupId, e);
    }
    // The drop must be durable before the files go, or a crash would reopen pointers to nothing.
    rocks.syncWal();
    (dropped != null
            ? dropped.files
            : new SegmentFiles(
                config.dataDir(), groupId, afterSegmentFsync, config.cachedTailBytes()))
        .deleteAll();
  }

  /** The background thread: interval fsyncs (if that is the policy) and synced-sequence records. */
  private ScheduledExecutorService startBackground() {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-log-store-background");
              t.setDaemon(true);
              return t;
            });
    if (config.fsyncPolicy() instanceof FsyncPolicy.Interval interval) {
      long periodMs = Math.max(1, interval.period().toMillis());
      s.scheduleWithFixedDelay(this::intervalSync, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }
    long recordMs = SEQUENCE_RECORD_PERIOD.toMillis();
    s.scheduleWithFixedDelay(this::recordSynced, recordMs, recordMs, TimeUnit.MILLISECONDS);
    s.scheduleWithFixedDelay(this::probeRecovered, recordMs, recordMs, TimeUnit.MILLISECONDS);
    return s;
  }

  private void probeRecovered() {
    try {
      rocks.probeRecovered();
    } catch (RuntimeException e) {
      log.warn("cannot resume RocksDB in {}", config.dataDir(), e);
    }
  }

  /** Records the synced sequence now (the background thread does it every second). */
  synchronized void recordSynced() {
    long synced = syncedSequence.get();
    if (synced <= recordedSequence) {
      return;
    }
    try {
      SyncedSequence.write(config.dataDir(), synced);
      recordedSequence = synced;
      log.debug("recorded synced sequence {} in {}", synced, config.dataDir());
    } catch (RuntimeException e) {
      log.warn("cannot record the synced sequence in {}; will retry", config.dataDir(), e);
    }
  }

  private void intervalSync() {
    try {
      groupCommit.sync();
      intervalFailure = null;
    } catch (RuntimeException e) {
      log.error("background WAL fsync failed in {}", config.dataDir(), e);
      intervalFailure = e;
    }
  }

  private void throwIfIntervalFailed() {
    RuntimeException failure = intervalFailure;
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Fsyncs the WAL (a clean shutdown loses nothing in any policy) and closes RocksDB. Idempotent: a
   * second close is a no-op (RocksDB's native handles must never be used after close).
   */
  @Override
  public void close() {
    if (!markClosed()) {
      return;
    }
    background.shutdownNow();
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      writeStaged();
      groupCommit.sync();
      recordSynced();
    } finally {
      segmentFsync.shutdown();
      closeFiles();
      rocks.close();
    }
  }

  private synchronized boolean markClosed() {
    boolean wasOpen = !closed;
    closed = true;
    return wasOpen;
  }

  /** Closes RocksDB without the final fsync: what a crash leaves behind, for tests. */
  void closeWithoutSync() {
    if (!markClosed()) {
      return;
    }
    background.shutdownNow();
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    segmentFsync.shutdown();
    closeFiles();
    rocks.close();
  }

  private void closeFiles() {
    for (GroupLog g : groups.values()) {
      g.files.closeAll();
    }
  }
}
