package io.keel.logstore;

import io.keel.raft.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The offset view of one group's log: record batches addressed by offset. Offsets are assigned by
 * the leader when it proposes; the store indexes each envelope's base offset when it stages the
 * entry, and every lookup is a RocksDB seek on that index (logarithmic), then one positional read
 * of the frame in its segment file, CRC32C verified. Safe for concurrent readers; each read sees
 * one consistent RocksDB snapshot of the indexes.
 */
public final class PartitionLog {
  /** Entries stepped over with next() before a seek is cheaper (non-batch entries between). */
  private static final int ADJACENT_STEPS_MAX = 4;

  private final GroupLog group;
  private final Rocks rocks;

  private final DiskSpace space;

  PartitionLog(GroupLog group, DiskSpace space) {
    this.group = group;
    this.rocks = group.rocks;
    this.space = space;
  }

  public long groupId() {
    return group.groupId;
  }

  /**
   * Refuses a new batch of {@code bytes} with {@link StorageFullException} when the store's volume
   * is below its free-space threshold (see {@link LogStore#checkSpaceFor}).
   */
  public void checkSpaceFor(long bytes) {
    space.checkFor(bytes);
  }

  /** The first offset still stored. */
  public long logStartOffset() {
    return group.logStartOffset();
  }

  /** The offset after the last stored batch. */
  public long nextOffset() {
    return group.nextOffset();
  }

  /** Bytes in the partition's segments. */
  public long sizeBytes() {
    return group.segments().stream().mapToLong(SegmentMeta::bytes).sum();
  }

  public int segmentCount() {
    return group.segments().size();
  }

  /** The Raft index of the entry whose batch contains {@code offset}. */
  public OptionalLong indexOfOffset(long offset) {
    if (offset < logStartOffset() || offset >= nextOffset()) {
      return OptionalLong.empty();
    }
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(rocks.offsets, ro)) {
      it.seekForPrev(Keys.of(groupId(), offset));
      if (!group.inGroup(it)) {
        group.checkIterator(it);
        return OptionalLong.empty();
      }
      Codec.IndexValue v = Codec.decodeIndexValue(it.value());
      boolean contains = Keys.valueOf(it.key()) + v.recordCount() > offset;
      return contains ? OptionalLong.of(v.raftIndex()) : OptionalLong.empty();
    }
  }

  /**
   * Batches from the one containing {@code fromOffset} on, up to Raft index {@code
   * maxRaftIndexInclusive} (the commit index, so uncommitted batches are never served), stopping
   * once {@code maxBytes} of batch bytes are collected but always returning at least one batch when
   * one is available. Each envelope's CRC is verified first.
   *
   * @throws OffsetOutOfRangeException if {@code fromOffset} is outside [logStart, next]
   * @throws CorruptBatchException if stored bytes fail verification
   */
  public List<StoredBatch> read(long fromOffset, long maxRaftIndexInclusive, int maxBytes) {
    Checks.arg(maxBytes > 0, "maxBytes must be > 0, was %s", maxBytes);
    checkRange(fromOffset);
    if (fromOffset == nextOffset()) {
      return List.of();
    }
    org.rocksdb.Snapshot snapshot = rocks.db.getSnapshot();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
      OptionalLong first = locate(ro, fromOffset);
      if (first.isEmpty()) {
        checkRange(fromOffset);
        return List.of();
      }
      return collect(snapshot, first.getAsLong(), maxRaftIndexInclusive, maxBytes);
    } catch (CorruptBatchException | StorageException e) {
      // Retention may have deleted the segment file this read's snapshot still pointed into.
      checkRange(fromOffset);
      throw e;
    } finally {
      rocks.db.releaseSnapshot(snapshot);
    }
  }

  private void checkRange(long offset) {
    long start = logStartOffset();
    long next = nextOffset();
    if (offset < start || offset > next) {
      throw new OffsetOutOfRangeException(groupId(), offset, start, next);
    }
  }

  /** Base offset of the batch containing {@code offset}. */
  private OptionalLong locate(ReadOptions ro, long offset) {
    try (RocksIterator it = rocks.iterator(rocks.offsets, ro)) {
      it.seekForPrev(Keys.of(groupId(), offset));
      if (!group.inGroup(it)) {
        group.checkIterator(it);
        return OptionalLong.empty();
      }
      long base = Keys.valueOf(it.key());
      Codec.IndexValue v = Codec.decodeIndexValue(it.value());
      return base + v.recordCount() > offset ? OptionalLong.of(base) : OptionalLong.empty();
    }
  }

  /**
   * Walks the offset index from {@code firstBase} and reads each batch's entry. The index, not the
   * log, says where batches are, so an entry whose envelope was damaged beyond recognition (even
   * its type byte) is reported rather than skipped. A damaged batch after intact ones ends the read
   * there: the caller gets the intact batches, and the next read, which starts at the damaged one,
   * throws naming its offset.
   */
  private List<StoredBatch> collect(
      org.rocksdb.Snapshot snapshot, long firstBase, long maxIndex, int maxBytes) {
    List<StoredBatch> out = new ArrayList<>();
    try (Slice offsetsEnd = new Slice(Keys.groupEnd(groupId()));
        ReadOptions indexRead =
            new ReadOptions().setSnapshot(snapshot).setIterateUpperBound(offsetsEnd);
        // RocksDB verifies its block checksums on the pointers too, so a damaged block never
        // enters the shared block cache unverified; the envelope CRC32C is checked on top.
        ReadOptions logRead = new ReadOptions().setSnapshot(snapshot).setVerifyChecksums(true);
        RocksIterator index = rocks.iterator(rocks.offsets, indexRead);
        RocksIterator log = rocks.iterator(rocks.log, logRead)) {
      try {
        collectInto(out, index, log, firstBase, maxIndex, maxBytes);
      } catch (CorruptBatchException e) {
        if (out.isEmpty()) {
          throw e;
        }
      }
    }
    return out;
  }

  private void collectInto(
      List<StoredBatch> out,
      RocksIterator index,
      RocksIterator log,
      long firstBase,
      long maxIndex,
      int maxBytes) {
    long bytes = 0;
    long expected = firstBase;
    for (index.seek(Keys.of(groupId(), firstBase)); index.isValid(); index.next()) {
      long base = Keys.valueOf(index.key());
      Codec.IndexValue v = Codec.decodeIndexValue(index.value());
      if (v.raftIndex() > maxIndex) {
        break;
      }
      if (base != expected) {
        throw corrupt(expected, v.raftIndex(), "offset index jumps to base offset " + base);
      }
      position(log, v.raftIndex());
      boolean found = group.inGroup(log) && Keys.valueOf(log.key()) == v.raftIndex();
      if (!found) {
        // An iterator that stopped on a read error (a checksum mismatch, a missing SST)
        // is not the same as an entry that is not there: report what RocksDB said.
        checkLogIterator(log, base, v.raftIndex());
        throw corrupt(base, v.raftIndex(), "the entry is missing from the log");
      }
      LogPointer p = LogPointer.decode(log.value());
      checkLogIterator(log, base, v.raftIndex());
      long batchBytes = p.length() - SegmentFrame.HEADER_BYTES - BatchEnvelope.HEADER_BYTES;
      if (!out.isEmpty() && bytes + batchBytes > maxBytes) {
        break;
      }
      GroupLog.FrameRead frame = group.readFrame(v.raftIndex(), p, ReadKind.FETCH);
      if (frame.problem() != null) {
        throw corrupt(base, v.raftIndex(), frame.problem());
      }
      StoredBatch b = verified(base, v, p, frame.frame());
      out.add(b);
      bytes += b.sizeBytes();
      expected = b.nextOffset();
    }
    group.checkIterator(index);
  }

  private void checkLogIterator(RocksIterator log, long base, long raftIndex) {
    try {
      log.status();
    } catch (org.rocksdb.RocksDBException e) {
      throw corrupt(base, raftIndex, "RocksDB read failed: " + e.getMessage());
    }
  }

  /** Moves {@code log} to {@code raftIndex}: a step or two forward when batches are adjacent. */
  private void position(RocksIterator log, long raftIndex) {
    for (int step = 0; step < ADJACENT_STEPS_MAX && group.inGroup(log); step++) {
      long at = Keys.valueOf(log.key());
      if (at == raftIndex) {
        return;
      }
      if (at > raftIndex) {
        break;
      }
      log.next();
    }
    log.seek(Keys.of(groupId(), raftIndex));
  }

  private StoredBatch verified(long base, Codec.IndexValue v, LogPointer p, byte[] value) {
    int at = SegmentFrame.HEADER_BYTES;
    boolean envelope =
        p.type() == io.keel.raft.EntryType.NORMAL.ordinal()
            && value.length > at
            && value[at] == BatchEnvelope.TYPE;
    if (!envelope) {
      throw corrupt(base, v.raftIndex(), "the entry is not a record-batch envelope");
    }
    // No second CRC pass over the batch: the frame's CRC32C, just verified, covers every byte
    // of the envelope, and the envelope's own CRC was verified when the entry was appended.
    if (value.length - at < BatchEnvelope.HEADER_BYTES) {
      throw corrupt(base, v.raftIndex(), "the envelope is shorter than its header");
    }
    BatchEnvelope.Header h = BatchEnvelope.headerAt(value, at);
    if (h.baseOffset() != base || h.recordCount() != v.recordCount()) {
      throw corrupt(
          base,
          v.raftIndex(),
          "envelope says offsets "
              + h.baseOffset()
              + "+"
              + h.recordCount()
              + ", the offset index says "
              + base
              + "+"
              + v.recordCount());
    }
    // A region of the frame as read from the segment file, not a copy: the fetch path wraps it.
    int batchAt = at + BatchEnvelope.HEADER_BYTES;
    return new StoredBatch(
        base,
        h.recordCount(),
        h.maxTimestamp(),
        v.raftIndex(),
        value,
        batchAt,
        value.length - batchAt);
  }

  private CorruptBatchException corrupt(long offset, long raftIndex, String detail) {
    return new CorruptBatchException(groupId(), offset, "raft index " + raftIndex + ": " + detail);
  }

  /** The first offset whose batch has a timestamp {@code >= timestampMs}. */
  public OptionalLong offsetForTimestamp(long timestampMs) {
    long start = logStartOffset();
    long next = nextOffset();
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = rocks.iterator(rocks.times, ro)) {
      it.seek(Keys.ofTimestamp(groupId(), timestampMs));
      if (!group.inGroup(it)) {
        group.checkIterator(it);
        return OptionalLong.empty();
      }
      long offset = Math.max(start, Codec.decodeLong(it.value()));
      return offset < next ? OptionalLong.of(offset) : OptionalLong.empty();
    }
  }

  /**
   * Plans retention: the oldest whole segments that the policy expires, that lie at or below {@code
   * appliedIndex}, never the active (last) segment. See {@link RetentionResult} for how the caller
   * then removes them through a Raft snapshot.
   */
  public RetentionResult applyRetention(long nowMs, RetentionPolicy policy, long appliedIndex) {
    List<SegmentMeta> segs = group.segments();
    long total = segs.stream().mapToLong(SegmentMeta::bytes).sum();
    long removedBytes = 0;
    long boundary = 0;
    int count = 0;
    for (int i = 0; i + 1 < segs.size(); i++) {
      SegmentMeta s = segs.get(i);
      if (s.lastIndex() > appliedIndex || !expired(s, nowMs, policy, total - removedBytes)) {
        break;
      }
      boundary = s.lastIndex();
      removedBytes += s.bytes();
      count++;
    }
    long newStart =
        count == 0 ? logStartOffset() : firstOffsetFrom(segs.subList(count, segs.size()));
    return new RetentionResult(boundary, count, removedBytes, newStart);
  }

  private static boolean expired(SegmentMeta s, long nowMs, RetentionPolicy p, long totalBytes) {
    boolean bySize =
        p.retentionBytes() != RetentionPolicy.UNLIMITED_BYTES
            && totalBytes - s.bytes() >= p.retentionBytes();
    if (bySize) {
      return true;
    }
    if (p.retentionTime().equals(RetentionPolicy.UNLIMITED_TIME)) {
      return false;
    }
    long newestMs = s.hasBatches() ? s.maxTimestamp() : s.createdMs();
    return nowMs - newestMs > p.retentionTime().toMillis();
  }

  private long firstOffsetFrom(List<SegmentMeta> kept) {
    for (SegmentMeta s : kept) {
      if (s.hasBatches()) {
        return s.baseOffset();
      }
    }
    return nextOffset();
  }

  /**
   * Sets the next offset of a partition whose log holds no batch, e.g. after a follower installed a
   * snapshot: the snapshot's state machine knows where the offsets continue; the store does not.
   */
  public void resetNextOffset(long nextOffset) {
    group.resetNextOffset(nextOffset);
  }
}
