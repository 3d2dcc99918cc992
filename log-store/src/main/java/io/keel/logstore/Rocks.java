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
 * <p>Tuning for an append-mostly log: the {@code raft_log} family keeps values of 1 KiB or more in
 * blob files (BlobDB), so compaction moves only keys and blob references and never rewrites record
 * bytes; whole segments are removed with range deletions, which turn whole blob files into garbage
 * that blob GC drops. Record batches are compressed by producers, so the log family stores them
 * uncompressed. Level compaction with dynamic level sizes keeps the small index families compact.
 */
final class Rocks implements AutoCloseable {
  static final String LOG = "raft_log";
  static final String STATE = "raft_state";
  static final String OFFSETS = "offset_index";
  static final String TIMES = "time_index";
  static final String SEGMENTS = "segments";

  private static final long SMALL_FAMILY_BUFFER_BYTES = 8L << 20;
  private static final long MIN_BLOB_BYTES = 1024;
  private static final long BLOB_FILE_BYTES = 256L << 20;

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
  // Crash tests stop the store between two writes with it; a no-op otherwise.
  private volatile Runnable beforeWrite = () -> {};

  private Rocks(
      Path dir,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      DBOptions dbOptions,
      List<ColumnFamilyOptions> familyOptions,
      SstFileManager sstFileManager) {
    this.dir = dir;
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

  static Rocks open(Path dir, long writeBufferBytes) {
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
    try {
      // The SstFileManager lets RocksDB recover by itself from a full disk once space returns.
      sst = new SstFileManager(Env.getDefault());
      options = dbOptions(sst, writeBufferBytes);
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
      return new Rocks(dir, db, handles, options, familyOptions, sst);
    } catch (RocksDBException e) {
      familyOptions.forEach(ColumnFamilyOptions::close);
      if (options != null) {
        options.close();
      }
      if (sst != null) {
        sst.close();
      }
      throw error(dir, "open RocksDB", e);
    }
  }

  private static DBOptions dbOptions(SstFileManager sst, long writeBufferBytes) {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setSstFileManager(sst)
        .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
        .setMaxTotalWalSize(4 * writeBufferBytes)
        .setMaxBackgroundJobs(2)
        .setBytesPerSync(1L << 20)
        .setKeepLogFileNum(3);
  }

  private static ColumnFamilyOptions logFamilyOptions(long writeBufferBytes) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(writeBufferBytes)
        .setMaxWriteBufferNumber(3)
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true)
        .setEnableBlobFiles(true)
        .setMinBlobSize(MIN_BLOB_BYTES)
        .setBlobFileSize(BLOB_FILE_BYTES)
        .setBlobCompressionType(CompressionType.NO_COMPRESSION)
        .setEnableBlobGarbageCollection(true)
        .setBlobGarbageCollectionAgeCutoff(0.25);
  }

  private static ColumnFamilyOptions smallFamilyOptions() {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(SMALL_FAMILY_BUFFER_BYTES)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  /** Applies {@code batch} atomically; visible at once, durable after {@link #syncWal()}. */
  void write(WriteBatch batch, String what) {
    beforeWrite.run();
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
  }
}
