package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static io.keel.logstore.Fixtures.noop;
import static io.keel.logstore.Fixtures.opaque;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.Membership;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
  private static final long GROUP = 11;
  private static final Membership MEMBERS = Membership.ofVoters(Set.of(1));

  @TempDir Path dir;
  private LogStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  /** Index 1: noop; then batches of 10 records at indexes 2,4,6.. with opaque entries between. */
  private RaftStorage fill(int batches) {
    RaftStorage s = store.group(GROUP);
    s.append(List.of(noop(1, 1)));
    long index = 2;
    for (int b = 0; b < batches; b++) {
      s.append(List.of(envelope(1, index, b * 10L, 10, 1000 + b * 100L, 100)));
      s.append(List.of(opaque(1, index + 1)));
      index += 2;
    }
    return s;
  }

  @Test
  void indexesBatchesAndReadsThemByOffset() {
    store = LogStore.open(Fixtures.config(dir));
    fill(5);
    PartitionLog p = store.partitionLog(GROUP);
    assertEquals(0, p.logStartOffset());
    assertEquals(50, p.nextOffset());
    assertEquals(OptionalLong.of(2), p.indexOfOffset(0));
    assertEquals(OptionalLong.of(6), p.indexOfOffset(25));
    assertEquals(OptionalLong.of(10), p.indexOfOffset(49));
    assertEquals(OptionalLong.empty(), p.indexOfOffset(50));

    List<StoredBatch> all = p.read(25, Long.MAX_VALUE, Integer.MAX_VALUE);
    assertEquals(List.of(20L, 30L, 40L), all.stream().map(StoredBatch::baseOffset).toList());
    assertArrayEquals(Fixtures.batchBytes(30, 100), all.get(1).batchBytes());
    assertEquals(1300, all.get(1).maxTimestamp());
    assertEquals(8, all.get(1).raftIndex());
    assertEquals(10, all.get(1).recordCount());
  }

  @Test
  void readReturnsTheStoredBytesReadOnlyOrLentNotCopied() {
    store = LogStore.open(Fixtures.config(dir));
    fill(2);
    StoredBatch b = store.partitionLog(GROUP).read(10, Long.MAX_VALUE, Integer.MAX_VALUE).get(0);
    assertTrue(b.batch().isReadOnly(), "the fetch path must not be able to change stored bytes");
    assertEquals(100, b.sizeBytes());
    assertArrayEquals(Fixtures.batchBytes(10, 100), b.batchBytes());
    b.batchBytes()[0] ^= 1;
    assertArrayEquals(Fixtures.batchBytes(10, 100), b.batchBytes(), "batchBytes() is a copy");
    byte[] lent =
        b.lend(
            (array, offset, length) -> {
              assertTrue(offset > 0, "the region starts after the frame and envelope headers");
              return Arrays.copyOfRange(array, offset, offset + length);
            });
    assertArrayEquals(Fixtures.batchBytes(10, 100), lent, "lend() hands over the batch's region");
    assertSame(b.lend((array, offset, length) -> array), b.lend((array, offset, length) -> array));
  }

  @Test
  void readStopsAtRaftIndexAndByteLimitButReturnsOne() {
    store = LogStore.open(Fixtures.config(dir));
    fill(5);
    PartitionLog p = store.partitionLog(GROUP);
    assertEquals(2, p.read(0, 5, Integer.MAX_VALUE).size());
    assertEquals(List.of(), p.read(0, 1, Integer.MAX_VALUE));
    assertEquals(1, p.read(0, Long.MAX_VALUE, 1).size());
    assertEquals(2, p.read(0, Long.MAX_VALUE, 250).size());
    assertEquals(List.of(), p.read(50, Long.MAX_VALUE, 100));
    OffsetOutOfRangeException e =
        assertThrows(OffsetOutOfRangeException.class, () -> p.read(51, Long.MAX_VALUE, 100));
    assertEquals(50, e.nextOffset());
  }

  @Test
  void truncatingAnUncommittedSuffixRemovesItsOffsets() {
    store = LogStore.open(Fixtures.config(dir));
    RaftStorage s = fill(5);
    PartitionLog p = store.partitionLog(GROUP);
    // A new leader overwrites from index 6 (offsets 20..49) with one batch of 3 records.
    s.append(List.of(envelope(2, 6, 20, 3, 5000, 40)));
    assertEquals(23, p.nextOffset());
    assertEquals(OptionalLong.empty(), p.indexOfOffset(30));
    List<StoredBatch> read = p.read(20, Long.MAX_VALUE, Integer.MAX_VALUE);
    assertEquals(1, read.size());
    assertArrayEquals(Fixtures.batchBytes(20, 40), read.get(0).batchBytes());
    assertEquals(OptionalLong.of(20), p.offsetForTimestamp(4000));
    assertEquals(OptionalLong.empty(), p.offsetForTimestamp(5001));
    store.close();
    store = LogStore.open(Fixtures.config(dir));
    p = store.partitionLog(GROUP);
    assertEquals(23, p.nextOffset());
    s = store.group(GROUP);
    s.append(List.of(envelope(2, 7, 23, 2, 6000, 10)));
    assertEquals(25, p.nextOffset());
  }

  @Test
  void rejectsABatchThatLeavesAGapInOffsets() {
    store = LogStore.open(Fixtures.config(dir));
    RaftStorage s = fill(1);
    Entry gap = envelope(1, 4, 11, 1, 0, 10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.append(List.of(gap)));
    assertTrue(e.getMessage().contains("base offset 11, expected 10"), e.getMessage());
    assertEquals(3, s.lastIndex());
    assertEquals(10, store.partitionLog(GROUP).nextOffset());
  }

  @Test
  void findsTheFirstOffsetAtOrAfterATimestamp() {
    store = LogStore.open(Fixtures.config(dir));
    fill(5);
    PartitionLog p = store.partitionLog(GROUP);
    assertEquals(OptionalLong.of(0), p.offsetForTimestamp(0));
    assertEquals(OptionalLong.of(0), p.offsetForTimestamp(1000));
    assertEquals(OptionalLong.of(10), p.offsetForTimestamp(1001));
    assertEquals(OptionalLong.of(30), p.offsetForTimestamp(1300));
    assertEquals(OptionalLong.of(40), p.offsetForTimestamp(1400));
    assertEquals(OptionalLong.empty(), p.offsetForTimestamp(1401));
  }

  @Test
  void retentionByBytesRemovesWholeSegmentsThroughCompaction() {
    // Each batch entry is ~160 bytes with its opaque neighbour; 300-byte segments hold 2 batches.
    store = LogStore.open(Fixtures.smallSegments(dir, 300));
    RaftStorage s = fill(10);
    PartitionLog p = store.partitionLog(GROUP);
    int before = p.segmentCount();
    assertTrue(before >= 4, "segments: " + before);
    long total = p.sizeBytes();

    RetentionResult r = p.applyRetention(0, RetentionPolicy.ofBytes(total / 2), s.lastIndex());
    assertTrue(r.hasWork());
    assertTrue(r.bytes() >= total / 2 - 400 && r.bytes() <= total / 2, "removed " + r.bytes());
    assertEquals(0, p.logStartOffset(), "retention alone removes nothing");

    s.compact(
        new Snapshot(r.compactUpToIndex(), s.term(r.compactUpToIndex()), MEMBERS, new byte[0]));
    assertEquals(r.logStartOffset(), p.logStartOffset());
    assertTrue(p.logStartOffset() > 0 && p.logStartOffset() % 10 == 0);
    assertEquals(before - r.segments(), p.segmentCount());
    assertEquals(total - r.bytes(), p.sizeBytes());
    assertEquals(r.compactUpToIndex() + 1, s.firstIndex());
    assertThrows(
        OffsetOutOfRangeException.class, () -> p.read(p.logStartOffset() - 1, Long.MAX_VALUE, 100));
    assertEquals(OptionalLong.empty(), p.indexOfOffset(p.logStartOffset() - 1));
    assertEquals(
        p.logStartOffset(), p.read(p.logStartOffset(), Long.MAX_VALUE, 1).get(0).baseOffset());
    assertEquals(OptionalLong.of(p.logStartOffset()), p.offsetForTimestamp(0));
    assertEquals(
        false, p.applyRetention(0, RetentionPolicy.ofBytes(total / 2), s.lastIndex()).hasWork());
  }

  @Test
  void retentionByTimeKeepsTheActiveSegmentAndUnappliedEntries() {
    store = LogStore.open(Fixtures.smallSegments(dir, 300));
    RaftStorage s = fill(10);
    PartitionLog p = store.partitionLog(GROUP);
    RetentionPolicy day = RetentionPolicy.ofTime(java.time.Duration.ofDays(1));
    long farFuture = 10_000_000_000L;
    RetentionResult all = p.applyRetention(farFuture, day, s.lastIndex());
    assertEquals(p.segmentCount() - 1, all.segments(), "the active segment stays");

    RetentionResult none =
        p.applyRetention(
            1500, RetentionPolicy.ofTime(java.time.Duration.ofMillis(1000)), s.lastIndex());
    assertEquals(false, none.hasWork());

    // Batches up to ts 1300 (offsets < 40) are older than 1000 ms at now = 2350.
    RetentionResult some =
        p.applyRetention(
            2350, RetentionPolicy.ofTime(java.time.Duration.ofMillis(1000)), s.lastIndex());
    assertTrue(some.hasWork());
    assertTrue(some.logStartOffset() <= 40 && some.logStartOffset() > 0, "" + some);

    RetentionResult limited = p.applyRetention(farFuture, day, 5);
    assertTrue(limited.compactUpToIndex() <= 5, "" + limited);
  }

  @Test
  void segmentsRollByAge() {
    long[] now = {1_000};
    java.time.InstantSource clock = () -> java.time.Instant.ofEpochMilli(now[0]);
    LogStoreConfig config =
        Fixtures.config(dir).withSegments(1L << 30, java.time.Duration.ofMillis(100));
    store = LogStore.open(config, clock);
    RaftStorage s = store.group(GROUP);
    s.append(List.of(envelope(1, 1, 0, 1, 0, 10), envelope(1, 2, 1, 1, 0, 10)));
    now[0] += 99;
    s.append(List.of(envelope(1, 3, 2, 1, 0, 10)));
    assertEquals(1, store.partitionLog(GROUP).segmentCount());
    now[0] += 1;
    s.append(List.of(envelope(1, 4, 3, 1, 0, 10)));
    assertEquals(2, store.partitionLog(GROUP).segmentCount());
  }

  @Test
  void snapshotInstallEmptiesTheLogAndTheOffsetsContinueWhereTheBrokerSays() {
    store = LogStore.open(Fixtures.config(dir));
    RaftStorage s = fill(2);
    PartitionLog p = store.partitionLog(GROUP);
    s.applySnapshot(new Snapshot(100, 5, MEMBERS, new byte[] {1}));
    assertEquals(p.logStartOffset(), p.nextOffset());
    p.resetNextOffset(700);
    assertEquals(700, p.logStartOffset());
    s.append(List.of(envelope(5, 101, 700, 5, 0, 10)));
    assertEquals(705, p.nextOffset());
    assertThrows(IllegalStateException.class, () -> p.resetNextOffset(0));
    store.close();
    store = LogStore.open(Fixtures.config(dir));
    assertEquals(700, store.partitionLog(GROUP).logStartOffset());
    assertEquals(705, store.partitionLog(GROUP).nextOffset());
  }

  @Test
  void segmentBookkeepingMatchesTheLogThroughTruncationAndPartialCompaction() {
    store = LogStore.open(Fixtures.smallSegments(dir, 300));
    RaftStorage s = fill(10);
    PartitionLog p = store.partitionLog(GROUP);
    assertSegmentsMatchLog(s, p);

    // Overwrite from index 9 (inside a segment): later segments go, the containing one is cut.
    s.append(List.of(envelope(2, 9, 40, 5, 9000, 100)));
    assertEquals(45, p.nextOffset());
    assertSegmentsMatchLog(s, p);

    // Compact to index 7, mid-segment: offsets below 30 (index 8's batch) disappear.
    s.compact(new Snapshot(7, 1, MEMBERS, new byte[0]));
    assertEquals(30, p.logStartOffset());
    assertEquals(OptionalLong.of(30), p.offsetForTimestamp(0));
    assertEquals(30, p.read(30, Long.MAX_VALUE, 1).get(0).baseOffset());
    assertSegmentsMatchLog(s, p);

    store.close();
    store = LogStore.open(Fixtures.smallSegments(dir, 300));
    s = store.group(GROUP);
    p = store.partitionLog(GROUP);
    assertEquals(30, p.logStartOffset());
    assertEquals(45, p.nextOffset());
    assertSegmentsMatchLog(s, p);
  }

  /** The segment table covers the log exactly, and its byte counts are the entries' sizes. */
  private void assertSegmentsMatchLog(RaftStorage s, PartitionLog p) {
    List<SegmentMeta> segs = store.groupLog(GROUP).segments();
    long expect = s.firstIndex();
    for (SegmentMeta seg : segs) {
      assertEquals(expect, seg.firstIndex(), "segments " + segs);
      expect = seg.lastIndex() + 1;
    }
    assertEquals(s.lastIndex() + 1, expect, "segments " + segs);
    long bytes = 0;
    for (Entry e : s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE)) {
      bytes += SegmentFrame.HEADER_BYTES + e.data().length;
    }
    assertEquals(bytes, p.sizeBytes());
  }

  @Test
  void droppingTheGroupRemovesItsIndexesToo() {
    store = LogStore.open(Fixtures.config(dir));
    fill(3);
    store.group(GROUP + 1).append(List.of(envelope(1, 1, 0, 4, 50, 10)));
    store.dropGroup(GROUP);
    PartitionLog p = store.partitionLog(GROUP);
    assertEquals(0, p.nextOffset());
    assertEquals(0, p.segmentCount());
    assertEquals(OptionalLong.empty(), p.offsetForTimestamp(0));
    assertEquals(OptionalLong.empty(), p.indexOfOffset(0));
    PartitionLog other = store.partitionLog(GROUP + 1);
    assertEquals(4, other.nextOffset());
    assertEquals(OptionalLong.of(0), other.offsetForTimestamp(50));
  }
}
