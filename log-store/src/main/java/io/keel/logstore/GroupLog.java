package io.keel.logstore;

import io.keel.raft.Checks;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's Raft storage, plus the offset bookkeeping of the partition it may hold. Each entry is
 * written once, as a frame appended to the group's active segment file ({@link SegmentFiles}); the
 * node's RocksDB holds a {@link LogPointer} per entry, the hard state, the snapshot, the indexes
 * and the segment table. The in-memory fields mirror the database; after a failed write they are
 * reloaded from it.
 *
 * <p>Durability order (see {@link LogStore#sync}): the frames are in the page cache when {@link
 * #append} returns and their pointers are written to RocksDB at once (not fsynced); a sync fsyncs
 * the dirty segment files first, then records {@code SYNCED_INDEX} (every frame up to it is
 * durable) and fsyncs the WAL. So RocksDB may recover pointers past {@code SYNCED_INDEX} whose
 * frames did not reach the disk: on open those are verified and, from the first one missing or
 * torn, dropped (never anything at or below {@code SYNCED_INDEX}, whose damage refuses the open).
 * Frames are never overwritten: a truncated suffix stays in its file as dead bytes and new entries
 * follow it, so a pointer that survives a crash always finds the bytes it was written with.
 *
 * <p>One Ready, one atomic write: {@link #setHardState} and {@link #applySnapshot} only stage into
 * an open WriteBatch; {@link #append} adds the entries (and the truncation of an overwritten
 * suffix) and writes the batch. Whatever is still open is written by the next Raft read of the
 * database, the next compaction and {@link LogStore#sync()}. So a crash never leaves a commit index
 * over entries it does not cover: the hard state is written with the entries or after them. The
 * log, the offset and time indexes and the segment table change together or not at all.
 *
 * <p>Thread-safety: all methods are synchronized; {@link PartitionLog} reads the log through its
 * own RocksDB snapshot and takes the lock only to read the offset range.
 */
final class GroupLog implements RaftStorage {
  private static final long HARD_STATE = 1;
  private static final long SNAPSHOT_META = 2;
  private static final long SNAPSHOT_DATA = 3;
  private static final long OFFSET_FLOOR = 4;
  private static final long SYNCED_INDEX = 5;
  private static final Logger log = LoggerFactory.getLogger(GroupLog.class);
  private static final EntryType[] TYPES = EntryType.values();
  // What Entry#sizeBytes adds to the data length.
  private static final long ENTRY_OVERHEAD_BYTES = 24;
  private static final Membership NO_MEMBERS = new Membership(Set.of(), Set.of());

  final long groupId;
  final Rocks rocks;
  final SegmentFiles files;
  private final InstantSource clock;
  private final long segmentBytes;
  private final long segmentAgeMs;

  private HardState hardState;
  private Codec.SnapshotMeta snapshotMeta;
  // Invariant: snapshotMeta.index() <= lastIndex; the log holds (snapshotMeta.index(), lastIndex].
  private long lastIndex;
  // Invariant: logStartOffset <= nextOffset; batches cover [logStartOffset, nextOffset).
  private long logStartOffset;
  private long nextOffset;
  private long maxIndexedTimestamp;
  private final TreeMap<Long, SegmentMeta> segments = new TreeMap<>();
  private boolean dropped;
  // Every frame of an entry <= syncedIndex is durable (mirror of SYNCED_INDEX).
  private long syncedIndex;
  // Bumped by every truncation of the suffix, so a sync started before one never records its index.
  private long truncations;
  private long nextFileId;
  // Files no segment points to any more; deleted once that is durable.
  private final List<Long> pendingDeletes = new ArrayList<>();
  // The staged, not yet written part of the current Ready; null when nothing is open. Its puts
  // were computed against the database as it was before the batch, which is what they need.
  private WriteBatch open;
  // A term or vote was staged that no fsync has covered yet (see LogStore#sync).
  private boolean voteUnsynced;

  GroupLog(
      long groupId,
      Rocks rocks,
      InstantSource clock,
      LogStoreConfig config,
      java.util.function.Consumer<Path> afterFsync) {
    Keys.checkGroup(groupId);
    this.groupId = groupId;
    this.rocks = rocks;
    this.clock = clock;
    this.segmentBytes = config.segmentBytes();
    this.segmentAgeMs = config.segmentAge().toMillis();
    this.files = new SegmentFiles(config.dataDir(), groupId, afterFsync, config.cachedTailBytes());
    load();
    new SegmentRecovery(this).run();
    checkCommitBacked("stored");
  }

  /** Rebuilds the in-memory mirror from the database. */
  private void reload() {
    load();
    checkCommitBacked("stored");
  }

  private void load() {
    byte[] hs = rocks.get(rocks.state, Keys.of(groupId, HARD_STATE));
    hardState = hs == null ? HardState.EMPTY : Codec.decodeHardState(hs);
    byte[] meta = rocks.get(rocks.state, Keys.of(groupId, SNAPSHOT_META));
    snapshotMeta =
        meta == null ? new Codec.SnapshotMeta(0, 0, NO_MEMBERS) : Codec.decodeSnapshotMeta(meta);
    lastIndex = lastKeyValue(rocks.log).orElse(snapshotMeta.index());
    segments.clear();
    try (RocksIterator it = rocks.iterator(rocks.segments, new ReadOptions())) {
      for (it.seek(Keys.groupStart(groupId)); inGroup(it); it.next()) {
        SegmentMeta s = SegmentMeta.decode(it.key(), it.value());
        segments.put(s.firstIndex(), s);
      }
    }
    byte[] floor = rocks.get(rocks.state, Keys.of(groupId, OFFSET_FLOOR));
    nextOffset = floor == null ? 0 : Codec.decodeLong(floor);
    Optional<byte[]> lastBatch = lastKey(rocks.offsets);
    if (lastBatch.isPresent()) {
      Codec.IndexValue v = Codec.decodeIndexValue(rocks.get(rocks.offsets, lastBatch.get()));
      nextOffset = Keys.valueOf(lastBatch.get()) + v.recordCount();
    }
    logStartOffset = firstKeyValue(rocks.offsets).orElse(nextOffset);
    maxIndexedTimestamp = lastKey(rocks.times).map(Keys::timestampOf).orElse(Long.MIN_VALUE);
    byte[] synced = rocks.get(rocks.state, Keys.of(groupId, SYNCED_INDEX));
    syncedIndex = synced == null ? 0 : Codec.decodeLong(synced);
    pendingDeletes.clear();
    long maxId = segments.values().stream().mapToLong(SegmentMeta::fileId).max().orElse(0);
    for (long id : files.onDisk()) {
      maxId = Math.max(maxId, id);
    }
    nextFileId = maxId + 1;
    if (!segments.isEmpty()) {
      files.activate(segments.lastEntry().getValue().fileId());
    }
  }

  /** A commit index beyond the log means the log lost entries it once held: never serve it. */
  private void checkCommitBacked(String what) {
    if (hardState.commit() > lastIndex) {
      throw new StoreDamagedException(
          "group "
              + groupId
              + ": "
              + what
              + " hard state commits index "
              + hardState.commit()
              + " but the log ends at "
              + lastIndex
              + " in "
              + rocks.dir
              + "; committed entries are missing");
    }
  }

  @Override
  public synchronized HardState hardState() {
    checkLive();
    return hardState;
  }

  @Override
  public synchronized Membership snapshotMembership() {
    checkLive();
    return snapshotMeta.membership();
  }

  @Override
  public synchronized long firstIndex() {
    checkLive();
    return snapshotMeta.index() + 1;
  }

  @Override
  public synchronized long lastIndex() {
    checkLive();
    return lastIndex;
  }

  @Override
  public synchronized long term(long index) {
    checkLive();
    writeOpen("write the staged Ready of group " + groupId);
    return storedTerm(index);
  }

  /** Term of {@code index} as the mirror and the written database know it. */
  private long storedTerm(long index) {
    if (index == snapshotMeta.index()) {
      return snapshotMeta.term();
    }
    checkInLog(index);
    byte[] value = rocks.get(rocks.log, Keys.of(groupId, index));
    Checks.state(value != null, "group %s: entry %s missing from the log", groupId, index);
    return Codec.termOf(value);
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxBytes) {
    checkLive();
    writeOpen("write the staged Ready of group " + groupId);
    Checks.arg(lo <= hi, "entries: lo %s > hi %s", lo, hi);
    if (lo == hi) {
      return List.of();
    }
    checkInLog(lo);
    checkInLog(hi - 1);
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    try (Slice upper = new Slice(Keys.of(groupId, hi));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = rocks.iterator(rocks.log, ro)) {
      for (it.seek(Keys.of(groupId, lo)); it.isValid(); it.next()) {
        long index = Keys.valueOf(it.key());
        Checks.state(index == lo + out.size(), "group %s: gap before %s", groupId, index);
        LogPointer p = LogPointer.decode(it.value());
        bytes += p.length() - SegmentFrame.HEADER_BYTES + ENTRY_OVERHEAD_BYTES;
        if (!out.isEmpty() && bytes > maxBytes) {
          break;
        }
        Entry e = readEntry(index, p);
        verifyEnvelope(e);
        out.add(e);
      }
      try {
        it.status();
      } catch (RocksDBException e) {
        throw Rocks.error(
            rocks.dir, "read raft index " + (lo + out.size()) + " of group " + groupId, e);
      }
    }
    Checks.state(!out.isEmpty(), "group %s: entry %s missing from the log", groupId, lo);
    return out;
  }

  @Override
  public synchronized Snapshot snapshot() {
    checkLive();
    writeOpen("write the staged Ready of group " + groupId);
    byte[] data = rocks.get(rocks.state, Keys.of(groupId, SNAPSHOT_DATA));
    return new Snapshot(
        snapshotMeta.index(),
        snapshotMeta.term(),
        snapshotMeta.membership(),
        data == null ? new byte[0] : data);
  }

  @Override
  public synchronized void append(List<Entry> entries) {
    checkLive();
    if (entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).index();
    Checks.arg(
        first > snapshotMeta.index(),
        "group %s: append at %s overwrites the compacted prefix (first index %s)",
        groupId,
        first,
        snapshotMeta.index() + 1);
    Checks.arg(
        first <= lastIndex + 1,
        "group %s: append at %s leaves a gap after last index %s",
        groupId,
        first,
        lastIndex);
    for (int i = 0; i < entries.size(); i++) {
      long index = entries.get(i).index();
      Checks.arg(index == first + i, "group %s: entries not contiguous at %s", groupId, index);
    }
    stageAndWrite(
        "append entries " + first + ".." + (first + entries.size() - 1) + " to group " + groupId,
        wb -> {
          if (first <= lastIndex) {
            truncateFrom(first, wb);
          }
          Set<Long> touched = new LinkedHashSet<>();
          for (Entry e : entries) {
            touched.add(stage(e, wb));
          }
          for (long key : touched) {
            putSegment(wb, segments.get(key));
          }
        });
  }

  /**
   * Holds this group's lock across the three, so {@link LogStore#sync} never writes half a Ready.
   */
  @Override
  public synchronized void stageReady(HardState state, Snapshot snapshot, List<Entry> entries) {
    RaftStorage.super.stageReady(state, snapshot, entries);
  }

  @Override
  public synchronized void setHardState(HardState state) {
    checkLive();
    Checks.arg(state != null, "group %s: hard state is null", groupId);
    checkForward(state);
    voteUnsynced |= state.term() != hardState.term() || state.vote() != hardState.vote();
    stageOnly(
        "set hard state of group " + groupId,
        wb -> {
          wb.put(rocks.state, Keys.of(groupId, HARD_STATE), Codec.encodeHardState(state));
          hardState = state;
        });
  }

  @Override
  public synchronized void applySnapshot(Snapshot snapshot) {
    checkLive();
    if (snapshot.index() < snapshotMeta.index()) {
      return;
    }
    boolean keepsSuffix =
        snapshot.index() <= lastIndex && storedTerm(snapshot.index()) == snapshot.term();
    stageOnly(
        "apply snapshot at " + snapshot.index() + " to group " + groupId,
        wb -> {
          putSnapshot(wb, snapshot);
          if (keepsSuffix) {
            dropPrefix(snapshot.index(), wb);
          } else {
            wipeLog(snapshot.index(), wb);
            lastIndex = snapshot.index();
          }
          snapshotMeta =
              new Codec.SnapshotMeta(snapshot.index(), snapshot.term(), snapshot.membership());
        });
  }

  @Override
  public synchronized void compact(Snapshot snapshot) {
    checkLive();
    if (snapshot.index() <= snapshotMeta.index()) {
      return;
    }
    Checks.arg(
        snapshot.index() <= lastIndex,
        "group %s: cannot compact to %s beyond last index %s",
        groupId,
        snapshot.index(),
        lastIndex);
    long term = storedTerm(snapshot.index());
    Checks.arg(
        term == snapshot.term(),
        "group %s: snapshot term %s at %s differs from the log's term %s",
        groupId,
        snapshot.term(),
        snapshot.index(),
        term);
    stageAndWrite(
        "compact group " + groupId + " to " + snapshot.index(),
        wb -> {
          putSnapshot(wb, snapshot);
          dropPrefix(snapshot.index(), wb);
          snapshotMeta =
              new Codec.SnapshotMeta(snapshot.index(), snapshot.term(), snapshot.membership());
        });
    if (!pendingDeletes.isEmpty()) {
      // Retention frees the disk now, whatever the fsync policy: one WAL fsync makes the removal
      // of the segments durable, then their files can go.
      rocks.syncWal();
      deleteFiles(takePendingDeletes());
    }
  }

  // ---- segment files ----

  /** Entry {@code index} read from its frame, CRC verified. */
  private Entry readEntry(long index, LogPointer p) {
    FrameRead r = readFrame(index, p, ReadKind.LOG);
    if (r.problem() != null) {
      throw new StoreDamagedException(
          "failed to read raft index " + index + " of group " + groupId + ": " + r.problem());
    }
    int data = r.frame().length - SegmentFrame.HEADER_BYTES;
    byte[] out = new byte[data];
    System.arraycopy(r.frame(), SegmentFrame.HEADER_BYTES, out, 0, data);
    if (p.type() < 0 || p.type() >= TYPES.length) {
      throw new StoreDamagedException(
          "group " + groupId + ": raft index " + index + " has unknown entry type " + p.type());
    }
    return new Entry(p.term(), index, TYPES[p.type()], out);
  }

  /** The bytes of a frame and what is wrong with them, if anything ({@code problem} null). */
  record FrameRead(byte[] frame, String problem) {}

  /**
   * Reads the frame {@code p} points to and verifies its length, CRC32C, index and term. Safe
   * without the lock (positional reads on a shared channel).
   */
  FrameRead readFrame(long index, LogPointer p, ReadKind kind) {
    Path path = files.path(p.fileId());
    byte[] frame = new byte[p.length()];
    int read;
    try {
      read = files.get(p.fileId()).read(p.position(), frame, kind);
    } catch (StoreDamagedException e) {
      return new FrameRead(frame, e.getMessage());
    }
    Optional<String> problem = SegmentFrame.problem(frame, read, index, p.term());
    return new FrameRead(
        frame,
        problem
            .map(w -> "segment file " + path + " at byte " + p.position() + ": " + w)
            .orElse(null));
  }

  /** The pointer of entry {@code index}, which must be in the log. */
  LogPointer pointer(long index) {
    byte[] value = rocks.get(rocks.log, Keys.of(groupId, index));
    if (value == null) {
      throw new StoreDamagedException(
          "group " + groupId + ": raft index " + index + " is missing from " + rocks.dir);
    }
    return LogPointer.decode(value);
  }

  /**
   * What one fsync covers for this group: its files with unsynced appends and the last index whose
   * frame they hold (not advanced while a staged Ready is unwritten), plus files to delete after
   * the WAL fsync that makes their removal durable.
   */
  record SyncPoint(
      GroupLog group, List<SegmentFile> dirty, long index, long truncations, List<Long> deletes) {}

  synchronized SyncPoint syncPoint() {
    boolean settled = open == null && !dropped;
    return new SyncPoint(
        this,
        files.dirty(),
        settled ? lastIndex : syncedIndex,
        truncations,
        settled ? takePendingDeletes() : List.of());
  }

  /** Fsyncs the point's files and the directory (outside the lock: appends may go on). */
  static void force(SyncPoint p) {
    for (SegmentFile f : p.dirty()) {
      f.force();
    }
    p.group().files.forceDir();
  }

  /**
   * Records that every frame up to the point's index is durable, unless the suffix was truncated
   * since the point was taken (its index may then name entries appended after the fsync).
   */
  synchronized void recordSynced(SyncPoint p) {
    if (dropped || p.truncations() != truncations || p.index() <= syncedIndex) {
      return;
    }
    try (WriteBatch wb = new WriteBatch()) {
      wb.put(rocks.state, Keys.of(groupId, SYNCED_INDEX), Codec.encodeLong(p.index()));
      rocks.write(wb, "record the synced index of group " + groupId);
      syncedIndex = p.index();
    } catch (RocksDBException e) {
      throw Rocks.error(rocks.dir, "record the synced index of group " + groupId, e);
    }
  }

  private List<Long> takePendingDeletes() {
    List<Long> out = List.copyOf(pendingDeletes);
    pendingDeletes.clear();
    return out;
  }

  void deleteFiles(List<Long> ids) {
    for (long id : ids) {
      files.delete(id);
    }
  }

  long syncedIndex() {
    return syncedIndex;
  }

  void putSyncedIndex(WriteBatch wb, long index) throws RocksDBException {
    wb.put(rocks.state, Keys.of(groupId, SYNCED_INDEX), Codec.encodeLong(index));
    syncedIndex = index;
  }

  HardState storedHardState() {
    return hardState;
  }

  void putHardState(WriteBatch wb, HardState state) throws RocksDBException {
    wb.put(rocks.state, Keys.of(groupId, HARD_STATE), Codec.encodeHardState(state));
    hardState = state;
  }

  long storedLastIndex() {
    return lastIndex;
  }

  long storedFirstIndex() {
    return snapshotMeta.index() + 1;
  }

  TreeMap<Long, SegmentMeta> segmentTable() {
    return segments;
  }

  /** Removes entries {@code >= first} (recovery: a tail whose frames never reached the disk). */
  void truncateForRecovery(long first, WriteBatch wb) throws RocksDBException {
    truncateFrom(first, wb);
  }

  // ---- partition view support ----

  synchronized long logStartOffset() {
    checkLive();
    return logStartOffset;
  }

  synchronized long nextOffset() {
    checkLive();
    return nextOffset;
  }

  synchronized List<SegmentMeta> segments() {
    checkLive();
    return List.copyOf(segments.values());
  }

  /** Sets the next offset of a log that holds no batch (after installing a snapshot). */
  synchronized void resetNextOffset(long offset) {
    checkLive();
    Checks.state(
        logStartOffset == nextOffset,
        "group %s: cannot reset the next offset while the log holds batches [%s, %s)",
        groupId,
        logStartOffset,
        nextOffset);
    Checks.arg(offset >= 0, "group %s: next offset must be >= 0, was %s", groupId, offset);
    stageAndWrite(
        "reset next offset of group " + groupId,
        wb -> {
          wb.put(rocks.state, Keys.of(groupId, OFFSET_FLOOR), Codec.encodeLong(offset));
          nextOffset = offset;
          logStartOffset = offset;
        });
  }

  synchronized void markDropped() {
    dropped = true;
    if (open != null) {
      open.close();
      open = null;
    }
  }

  /**
   * Durable state never goes backwards: the term never decreases and a vote cast in a term is never
   * changed. A write that would break this is a bug above the store; refuse it.
   */
  private void checkForward(HardState next) {
    Checks.state(
        next.term() >= hardState.term(),
        "group %s: hard state term would go back from %s to %s",
        groupId,
        hardState.term(),
        next.term());
    Checks.state(
        next.term() > hardState.term() || hardState.vote() == 0 || next.vote() == hardState.vote(),
        "group %s: vote in term %s would change from %s to %s",
        groupId,
        next.term(),
        hardState.vote(),
        next.vote());
  }

  /** Stages one entry; returns the key of the segment it went into. */
  private long stage(Entry e, WriteBatch wb) throws RocksDBException {
    BatchEnvelope.Header batch = null;
    if (e.type() == EntryType.NORMAL && BatchEnvelope.isEnvelope(e.data())) {
      batch = indexBatch(e, wb);
    }
    SegmentMeta active = activeSegmentFor(e.index());
    SegmentFile file = files.get(active.fileId());
    long position = file.append(SegmentFrame.header(e), e.data());
    int length = SegmentFrame.frameBytes(e);
    LogPointer p =
        new LogPointer(
            e.term(),
            e.type().ordinal(),
            file.id,
            position,
            length,
            batch == null ? -1 : batch.baseOffset());
    wb.put(rocks.log, Keys.of(groupId, e.index()), p.encode());
    SegmentMeta grown = active.plus(e.index(), length, batch);
    segments.put(grown.firstIndex(), grown);
    lastIndex = e.index();
    return grown.firstIndex();
  }

  private BatchEnvelope.Header indexBatch(Entry e, WriteBatch wb) throws RocksDBException {
    Optional<String> problem = BatchEnvelope.verify(e.data());
    Checks.arg(problem.isEmpty(), "group %s: entry %s: %s", groupId, e.index(), problem.orElse(""));
    BatchEnvelope.Header h = BatchEnvelope.header(e.data());
    boolean empty = logStartOffset == nextOffset;
    Checks.arg(
        empty ? h.baseOffset() >= nextOffset : h.baseOffset() == nextOffset,
        "group %s: entry %s has base offset %s, expected %s",
        groupId,
        e.index(),
        h.baseOffset(),
        nextOffset);
    wb.put(rocks.offsets, Keys.of(groupId, h.baseOffset()), Codec.encodeIndexValue(e.index(), h));
    if (h.maxTimestamp() > maxIndexedTimestamp) {
      wb.put(
          rocks.times,
          Keys.ofTimestamp(groupId, h.maxTimestamp()),
          Codec.encodeLong(h.baseOffset()));
      maxIndexedTimestamp = h.maxTimestamp();
    }
    if (empty) {
      logStartOffset = h.baseOffset();
    }
    nextOffset = h.nextOffset();
    return h;
  }

  /** The segment entry {@code index} goes into, rolling a new one when the active one is full. */
  private SegmentMeta activeSegmentFor(long index) {
    Map.Entry<Long, SegmentMeta> last = segments.lastEntry();
    long nowMs = clock.millis();
    if (last != null) {
      SegmentMeta s = last.getValue();
      boolean full = s.bytes() >= segmentBytes || nowMs - s.createdMs() >= segmentAgeMs;
      if (!full || s.lastIndex() < s.firstIndex()) {
        return s;
      }
    }
    long fileId = nextFileId++;
    files.create(fileId);
    SegmentMeta fresh = SegmentMeta.start(index, nextOffset, nowMs, fileId);
    segments.put(fresh.firstIndex(), fresh);
    return fresh;
  }

  private void putSegment(WriteBatch wb, SegmentMeta s) throws RocksDBException {
    wb.put(rocks.segments, Keys.of(groupId, s.firstIndex()), s.encodeValue());
  }

  private void putSnapshot(WriteBatch wb, Snapshot s) throws RocksDBException {
    wb.put(
        rocks.state,
        Keys.of(groupId, SNAPSHOT_META),
        Codec.encodeSnapshotMeta(s.index(), s.term(), s.membership()));
    wb.put(rocks.state, Keys.of(groupId, SNAPSHOT_DATA), s.data());
  }

  /** Removes entries {@code >= first} (an uncommitted suffix) with their index keys. */
  private void truncateFrom(long first, WriteBatch wb) throws RocksDBException {
    Map.Entry<Long, SegmentMeta> before = segments.lowerEntry(first);
    SegmentMeta containing =
        before != null && before.getValue().lastIndex() >= first ? before.getValue() : null;
    Suffix removed = scanSuffix(first, containing == null ? first - 1 : containing.lastIndex());
    wb.deleteRange(rocks.log, Keys.of(groupId, first), Keys.groupEnd(groupId));
    for (SegmentMeta s : List.copyOf(segments.tailMap(first, true).values())) {
      wb.delete(rocks.segments, Keys.of(groupId, s.firstIndex()));
      segments.remove(s.firstIndex());
      pendingDeletes.add(s.fileId());
    }
    truncations++;
    if (syncedIndex >= first) {
      putSyncedIndex(wb, first - 1);
    }
    if (containing != null) {
      long end = Math.min(removed.firstOffset().orElse(Long.MAX_VALUE), containing.endOffset());
      SegmentMeta cut =
          new SegmentMeta(
              containing.firstIndex(),
              first - 1,
              Math.min(containing.baseOffset(), end),
              end,
              containing.bytes() - removed.bytesInContaining(),
              containing.createdMs(),
              containing.maxTimestamp(),
              containing.fileId());
      segments.put(cut.firstIndex(), cut);
      putSegment(wb, cut);
    }
    if (removed.firstOffset().isPresent()) {
      long cutOffset = removed.firstOffset().get();
      wb.deleteRange(rocks.offsets, Keys.of(groupId, cutOffset), Keys.groupEnd(groupId));
      truncateTimeIndex(cutOffset, wb);
      nextOffset = cutOffset;
      logStartOffset = Math.min(logStartOffset, nextOffset);
    }
    lastIndex = first - 1;
  }

  private record Suffix(Optional<Long> firstOffset, long bytesInContaining) {}

  /**
   * Scans entries from {@code first}: the first batch's offset and the bytes up to {@code last}.
   */
  private Suffix scanSuffix(long first, long last) {
    Optional<Long> firstOffset = Optional.empty();
    long bytes = 0;
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(rocks.log, ro)) {
      for (it.seek(Keys.of(groupId, first)); inGroup(it); it.next()) {
        if (firstOffset.isPresent() && Keys.valueOf(it.key()) > last) {
          break;
        }
        LogPointer p = LogPointer.decode(it.value());
        if (Keys.valueOf(it.key()) <= last) {
          bytes += p.length();
        }
        if (firstOffset.isEmpty() && p.isBatch()) {
          firstOffset = Optional.of(p.baseOffset());
        }
      }
      checkIterator(it);
    }
    return new Suffix(firstOffset, bytes);
  }

  /** Deletes time-index entries pointing at offsets {@code >= cutOffset}. */
  private void truncateTimeIndex(long cutOffset, WriteBatch wb) throws RocksDBException {
    maxIndexedTimestamp = Long.MIN_VALUE;
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(rocks.times, ro)) {
      for (it.seekForPrev(Keys.groupLast(groupId)); inGroup(it); it.prev()) {
        if (Codec.decodeLong(it.value()) < cutOffset) {
          maxIndexedTimestamp = Keys.timestampOf(it.key());
          break;
        }
        wb.delete(rocks.times, it.key());
      }
      checkIterator(it);
    }
  }

  /**
   * Removes entries {@code <= index} (covered by a snapshot) with their index keys and segments.
   */
  private void dropPrefix(long index, WriteBatch wb) throws RocksDBException {
    long newStart = firstOffsetAfter(index);
    wb.deleteRange(rocks.log, Keys.groupStart(groupId), Keys.of(groupId, index + 1));
    for (SegmentMeta s : List.copyOf(segments.values())) {
      if (s.firstIndex() > index) {
        break;
      }
      wb.delete(rocks.segments, Keys.of(groupId, s.firstIndex()));
      segments.remove(s.firstIndex());
      if (s.lastIndex() > index) {
        SegmentMeta rest = trimmedSegment(s, index, newStart);
        segments.put(rest.firstIndex(), rest);
        putSegment(wb, rest);
      } else {
        pendingDeletes.add(s.fileId());
      }
    }
    wb.deleteRange(rocks.offsets, Keys.groupStart(groupId), Keys.of(groupId, newStart));
    dropTimeIndexBelow(newStart, wb);
    wb.put(rocks.state, Keys.of(groupId, OFFSET_FLOOR), Codec.encodeLong(nextOffset));
    logStartOffset = newStart;
  }

  /** The part of {@code s} after {@code index}; scans the removed part to count its bytes. */
  private SegmentMeta trimmedSegment(SegmentMeta s, long index, long newStart) {
    long removedBytes = 0;
    try (Slice upper = new Slice(Keys.of(groupId, index + 1));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = rocks.iterator(rocks.log, ro)) {
      for (it.seek(Keys.of(groupId, s.firstIndex())); it.isValid(); it.next()) {
        removedBytes += LogPointer.decode(it.value()).length();
      }
      checkIterator(it);
    }
    long base = Math.max(s.baseOffset(), Math.min(newStart, s.endOffset()));
    return new SegmentMeta(
        index + 1,
        s.lastIndex(),
        base,
        s.endOffset(),
        s.bytes() - removedBytes,
        s.createdMs(),
        s.maxTimestamp(),
        s.fileId());
  }

  /** Offset of the first batch at a Raft index after {@code index}, or the next offset. */
  private long firstOffsetAfter(long index) {
    for (SegmentMeta s : segments.values()) {
      if (s.lastIndex() <= index || !s.hasBatches()) {
        continue;
      }
      if (s.firstIndex() > index) {
        return s.baseOffset();
      }
      try (Slice upper = new Slice(Keys.of(groupId, s.lastIndex() + 1));
          ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = rocks.iterator(rocks.log, ro)) {
        for (it.seek(Keys.of(groupId, index + 1)); it.isValid(); it.next()) {
          LogPointer p = LogPointer.decode(it.value());
          if (p.isBatch()) {
            return p.baseOffset();
          }
        }
        checkIterator(it);
      }
    }
    return nextOffset;
  }

  /**
   * Drops time-index entries for offsets below {@code newStart}. The last dropped entry's timestamp
   * still bounds the batches from {@code newStart} on, so it is kept pointing at {@code newStart}:
   * a lookup may then return an earlier offset than needed, never a later one.
   */
  private void dropTimeIndexBelow(long newStart, WriteBatch wb) throws RocksDBException {
    byte[] lastDropped = null;
    boolean nextAtStart = false;
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(rocks.times, ro)) {
      for (it.seek(Keys.groupStart(groupId)); inGroup(it); it.next()) {
        if (Codec.decodeLong(it.value()) >= newStart) {
          nextAtStart = Codec.decodeLong(it.value()) == newStart;
          break;
        }
        lastDropped = it.key();
        wb.delete(rocks.times, lastDropped);
      }
      checkIterator(it);
    }
    if (lastDropped != null && !nextAtStart && newStart < nextOffset) {
      wb.put(rocks.times, lastDropped, Codec.encodeLong(newStart));
    }
  }

  private void wipeLog(long snapshotIndex, WriteBatch wb) throws RocksDBException {
    for (SegmentMeta s : segments.values()) {
      pendingDeletes.add(s.fileId());
    }
    truncations++;
    if (syncedIndex > snapshotIndex) {
      putSyncedIndex(wb, snapshotIndex);
    }
    byte[] start = Keys.groupStart(groupId);
    byte[] end = Keys.groupEnd(groupId);
    wb.deleteRange(rocks.log, start, end);
    wb.deleteRange(rocks.offsets, start, end);
    wb.deleteRange(rocks.times, start, end);
    wb.deleteRange(rocks.segments, start, end);
    wb.put(rocks.state, Keys.of(groupId, OFFSET_FLOOR), Codec.encodeLong(nextOffset));
    segments.clear();
    logStartOffset = nextOffset;
    maxIndexedTimestamp = Long.MIN_VALUE;
  }

  private void verifyEnvelope(Entry e) {
    if (e.type() == EntryType.NORMAL && BatchEnvelope.isEnvelope(e.data())) {
      Optional<String> problem = BatchEnvelope.verify(e.data());
      if (problem.isPresent()) {
        long offset =
            e.data().length >= BatchEnvelope.HEADER_BYTES
                ? BatchEnvelope.header(e.data()).baseOffset()
                : -1;
        throw new CorruptBatchException(
            groupId, offset, "raft index " + e.index() + ": " + problem.get());
      }
    }
  }

  private interface Staging {
    void stage(WriteBatch wb) throws RocksDBException;
  }

  /** Stages into the open WriteBatch; it is written later with the rest of the Ready. */
  private void stageOnly(String what, Staging staging) {
    stage(what, staging, false);
  }

  /** Stages into the open WriteBatch and writes all of it at once. */
  private void stageAndWrite(String what, Staging staging) {
    stage(what, staging, true);
  }

  /** On any failure the open batch is dropped and the in-memory mirror reloaded. */
  private void stage(String what, Staging staging, boolean write) {
    boolean ok = false;
    try {
      if (open == null) {
        open = new WriteBatch();
      }
      staging.stage(open);
      if (write) {
        writeOpenBatch(what);
      }
      ok = true;
    } catch (RocksDBException e) {
      throw Rocks.error(rocks.dir, what, e);
    } finally {
      if (!ok) {
        discardOpen();
        reload();
      }
    }
  }

  /**
   * Counts in {@code written} a term or vote staged since the last call, under this group's lock: a
   * sync that finds its own group's flag already taken still sees the count.
   */
  synchronized void takeVoteUnsynced(AtomicLong written) {
    if (voteUnsynced) {
      voteUnsynced = false;
      written.incrementAndGet();
    }
  }

  /** Writes the open batch, if any (the store's sync and Raft reads call this). */
  synchronized void writeOpen(String what) {
    if (open == null || dropped) {
      return;
    }
    boolean ok = false;
    try {
      writeOpenBatch(what);
      ok = true;
    } finally {
      if (!ok) {
        discardOpen();
        reload();
      }
    }
  }

  private void writeOpenBatch(String what) {
    checkCommitBacked("staged");
    try {
      rocks.write(open, what);
    } finally {
      discardOpen();
    }
  }

  private void discardOpen() {
    if (open != null) {
      open.close();
      open = null;
    }
  }

  private void checkInLog(long index) {
    if (index <= snapshotMeta.index() || index > lastIndex) {
      throw new LogUnavailableException(
          "group "
              + groupId
              + ": index "
              + index
              + " is outside the log ["
              + (snapshotMeta.index() + 1)
              + ", "
              + lastIndex
              + "]");
    }
  }

  private void checkLive() {
    Checks.state(!dropped, "group %s was dropped", groupId);
  }

  boolean inGroup(RocksIterator it) {
    return it.isValid() && Keys.groupOf(it.key()) == groupId;
  }

  void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw Rocks.error(rocks.dir, "iterate group " + groupId, e);
    }
  }

  private Optional<byte[]> lastKey(org.rocksdb.ColumnFamilyHandle cf) {
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(cf, ro)) {
      it.seekForPrev(Keys.groupLast(groupId));
      Optional<byte[]> key = inGroup(it) ? Optional.of(it.key()) : Optional.empty();
      checkIterator(it);
      return key;
    }
  }

  private Optional<Long> lastKeyValue(org.rocksdb.ColumnFamilyHandle cf) {
    return lastKey(cf).map(Keys::valueOf);
  }

  private Optional<Long> firstKeyValue(org.rocksdb.ColumnFamilyHandle cf) {
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(cf, ro)) {
      it.seek(Keys.groupStart(groupId));
      Optional<Long> v = inGroup(it) ? Optional.of(Keys.valueOf(it.key())) : Optional.empty();
      checkIterator(it);
      return v;
    }
  }
}
