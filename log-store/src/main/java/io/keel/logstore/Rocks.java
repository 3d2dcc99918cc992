package io.keel.logstore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileManager;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The node's one RocksDB and its column families, with RocksDB errors mapped to typed exceptions.
 *
 * <p>Durability point: the write-ahead log. Every write is a WriteBatch with {@code sync=false}: it
 * is in the WAL file (page cache) and the memtable when {@code write} returns, and durable against
 * power loss once {@link #syncWal()} fsyncs the WAL. Memtable flushes to SST files are background
 * work that durability never waits for; recovery replays the WAL ({@code kPointInTimeRecovery}
 * stops at the first torn record, so a crash leaves a prefix of whole batches).
 *
 * <p>The entries themselves are in segment files ({@link SegmentFiles}); the {@code raft_log}
 * family holds one 37-byte {@link LogPointer} per entry, so every family is small and level
 * compaction with dynamic level sizes keeps them compact.
 */
final class Rocks implements AutoCloseable {
  static final String LOG = "raft_log";
  static final String STATE = "raft_state";
  static final String OFFSETS = "offset_index";
  static final String TIMES = "time_index";
  static final String SEGMENTS = "segments";

  private static final long SMALL_FAMILY_BUFFER_BYTES = 8L << 20;
  private static final byte[] PROBE_KEY = "keel-write-probe".getBytes();

  static {
    RocksDB.loadLibrary();
  }

  final Path dir;
  final RocksDB db;
  final ColumnFamilyHandle log;
  final ColumnFamilyHandle state;
  final ColumnFamilyHandle offsets;
  final ColumnFamilyHandle times;
  final ColumnFamilyHandle segments;
  private final WriteOptions writeOptions;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> familyOptions;
  private final List<ColumnFamilyHandle> handles;
  private final SstFileManager sstFileManager;
  private final BackgroundErrors backgroundErrors;
  // Crash tests stop the store between two writes with it; a no-op otherwise.
  private volatile Runnable beforeWrite = () -> {};

  private Rocks(
      Path dir,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      DBOptions dbOptions,
      List<ColumnFamilyOptions> familyOptions,
      SstFileManager sstFileManager,
      BackgroundErrors backgroundErrors) {
    this.dir = dir;
    this.backgroundErrors = backgroundErrors;
    this.db = db;
    this.handles = handles;
    this.log = handles.get(1);
    this.state = handles.get(2);
    this.offsets = handles.get(3);
    this.times = handles.get(4);
    this.segments = handles.get(5);
    this.dbOptions = dbOptions;
    this.familyOptions = familyOptions;
    this.sstFileManager = sstFileManager;
    this.writeOptions = new WriteOptions().setSync(false);
  }

  /**
   * Opens the database in {@code dir}; {@code create} only for a store whose marker was just
   * created, so a store that lost its CURRENT or MANIFEST file is refused instead of recreated.
   */
  static Rocks open(Path dir, long writeBufferBytes, boolean create) {
    List<ColumnFamilyOptions> familyOptions = new ArrayList<>();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (String name : List.of("default", LOG, STATE, OFFSETS, TIMES, SEGMENTS)) {
      ColumnFamilyOptions o =
          name.equals(LOG) ? logFamilyOptions(writeBufferBytes) : smallFamilyOptions();
      familyOptions.add(o);
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(), o));
    }
    SstFileManager sst = null;
    DBOptions options = null;
    BackgroundErrors errors = new BackgroundErrors(dir);
    try {
      // The SstFileManager lets RocksDB recover by itself from a full disk once space returns.
      sst = new SstFileManager(Env.getDefault());
      options = dbOptions(sst, writeBufferBytes, create).setListeners(List.of(errors));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
      Rocks rocks = new Rocks(dir, db, handles, options, familyOptions, sst, errors);
      try {
        rocks.checkLiveFilesExist();
      } catch (RuntimeException e) {
        rocks.close();
        throw e;
      }
      return rocks;
    } catch (RocksDBException e) {
      familyOptions.forEach(ColumnFamilyOptions::close);
      if (options != null) {
        options.close();
      }
      if (sst != null) {
        sst.close();
      }
      throw openError(dir, e);
    }
  }

  /**
   * RocksDB may open without a live file it lists and fail only when a read reaches it; one stat
   * per live file at open refuses such a store at once, naming the file.
   */
  private void checkLiveFilesExist() throws RocksDBException {
    // A compaction started by the open may delete its inputs between the listing and the stat:
    // file deletions stay off while the check runs (seen: "lists live file 000137.sst but it is
    // missing" on a healthy store after many reopens).
    db.disableFileDeletions();
    try {
      for (String name : db.getLiveFiles(false).files) {
        Path file = dir.resolve(name.startsWith("/") ? name.substring(1) : name);
        if (!java.nio.file.Files.exists(file)) {
          throw new StoreDamagedException(
              "RocksDB in " + dir + " lists live file " + file + " but it is missing");
        }
      }
    } finally {
      db.enableFileDeletions();
    }
  }

  /** RocksDB refused to open: name the files it may mean, since its message often does not. */
  private static RuntimeException openError(Path dir, RocksDBException e) {
    String message =
        "RocksDB refused to open "
            + dir
            + " (WAL files "
            + filesEndingWith(dir, ".log")
            + "): "
            + e.getMessage()
            + "; the store is damaged or incomplete, rebuild this node's replicas from the others";
    return new StoreDamagedException(message, e);
  }

  private static List<String> filesEndingWith(Path dir, String suffix) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  // kTolerateCorruptedTailRecords drops only an incomplete record at the end of the WAL (a torn
  // last write); a checksum mismatch before it refuses the open. Measured against a synced
  // 300-record WAL: a byte flipped in the middle refuses ("checksum mismatch") where
  // kPointInTimeRecovery silently opened with 150 of 300 records; a tail cut mid-record opens
  // with the 299 whole records; kAbsoluteConsistency refuses that torn tail too.
  private static DBOptions dbOptions(SstFileManager sst, long writeBufferBytes, boolean create) {
    return new DBOptions()
        .setCreateIfMissing(create)
        .setCreateMissingColumnFamilies(create)
        .setSstFileManager(sst)
        .setParanoidChecks(true)
        .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
        .setMaxTotalWalSize(4 * writeBufferBytes)
        .setMaxBackgroundJobs(2)
        .setBytesPerSync(1L << 20)
        .setKeepLogFileNum(3);
  }

  private static ColumnFamilyOptions logFamilyOptions(long writeBufferBytes) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(writeBufferBytes)
        .setMaxWriteBufferNumber(3)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  private static ColumnFamilyOptions smallFamilyOptions() {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(SMALL_FAMILY_BUFFER_BYTES)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  /** Applies {@code batch} atomically; visible at once, durable after {@link #syncWal()}. */
  void write(WriteBatch batch, String what) {
    beforeWrite.run();
    if (backgroundErrors.pending()) {
      throw new StorageFullException(
          "cannot "
              + what
              + " in "
              + dir
              + ": RocksDB stopped writes after a background error ("
              + backgroundErrors.last()
              + "); it resumes once space is freed",
          null);
    }
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw error(dir, what, e);
    }
  }

  /** Runs {@code hook} before every write (crash tests throw from it to stop the store there). */
  void beforeEachWrite(Runnable hook) {
    beforeWrite = hook;
  }

  byte[] get(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw error(dir, "read", e);
    }
  }

  byte[] get(ColumnFamilyHandle cf, ReadOptions options, byte[] key) {
    try {
      return db.get(cf, options, key);
    } catch (RocksDBException e) {
      throw error(dir, "read", e);
    }
  }

  RocksIterator iterator(ColumnFamilyHandle cf, ReadOptions options) {
    return db.newIterator(cf, options);
  }

  /**
   * After a background error (a flush or compaction that hit ENOSPC stops RocksDB's writes) the
   * store fails writes at once with {@link StorageFullException} instead of letting them wait in a
   * stall; RocksDB recovers by itself once space returns (its SstFileManager polls for it;
   * RocksJava has no {@code Resume()}), and this probe, which the store's background thread runs
   * every second, notices: one small write that may not stall. Returns whether writes are open.
   */
  boolean probeRecovered() {
    if (!backgroundErrors.pending()) {
      return true;
    }
    try (WriteOptions noStall = new WriteOptions().setNoSlowdown(true)) {
      db.put(handles.get(0), noStall, PROBE_KEY, new byte[0]);
      backgroundErrors.clear();
      return true;
    } catch (RocksDBException e) {
      return false;
    }
  }

  /** The sequence number of the last write applied (recovered from the WAL and the MANIFEST). */
  long latestSequence() {
    return db.getLatestSequenceNumber();
  }

  /** Flushes every memtable to SST files and waits (tests build stores with SST files with it). */
  void flush() {
    try (org.rocksdb.FlushOptions options = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
      db.flush(options, handles);
    } catch (RocksDBException e) {
      throw error(dir, "flush memtables", e);
    }
  }

  void syncWal() {
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      throw error(dir, "fsync the WAL", e);
    }
  }

  /** Maps a RocksDB failure to a typed exception naming the operation and the directory. */
  static RuntimeException error(Path dir, String what, RocksDBException e) {
    Status s = e.getStatus();
    boolean noSpace =
        (s != null && s.getSubCode() == Status.SubCode.NoSpace)
            || String.valueOf(e.getMessage()).contains("No space left");
    String message = "failed to " + what + " in " + dir + ": " + e.getMessage();
    if (noSpace) {
      return new StorageFullException("disk full: " + message, e);
    }
    if (s != null && s.getCode() == Status.Code.Corruption) {
      return new StoreDamagedException(message, e);
    }
    return new StorageException(message, e);
  }

  @Override
  public void close() {
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    dbOptions.close();
    familyOptions.forEach(ColumnFamilyOptions::close);
    sstFileManager.close();
    backgroundErrors.close();
  }
}
