package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log serves just-stored entries from memory, and never an entry storage no longer holds. */
class RaftLogCacheTest {
  /** Storage that counts the entries read back from it. */
  private static final class CountingStorage implements RaftStorage {
    final RaftStorage inner = new MemoryDurableStore().group(1);
    long entriesRead;
    long termsRead;

    @Override
    public HardState hardState() {
      return inner.hardState();
    }

    @Override
    public Membership snapshotMembership() {
      return inner.snapshotMembership();
    }

    @Override
    public long firstIndex() {
      return inner.firstIndex();
    }

    @Override
    public long lastIndex() {
      return inner.lastIndex();
    }

    @Override
    public long term(long index) {
      termsRead++;
      return inner.term(index);
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
      List<Entry> out = inner.entries(lo, hi, maxBytes);
      entriesRead += out.size();
      return out;
    }

    @Override
    public Snapshot snapshot() {
      return inner.snapshot();
    }

    @Override
    public void append(List<Entry> entries) {
      inner.append(entries);
    }

    @Override
    public void setHardState(HardState state) {
      inner.setHardState(state);
    }

    @Override
    public void applySnapshot(Snapshot snapshot) {
      inner.applySnapshot(snapshot);
    }

    @Override
    public void compact(Snapshot snapshot) {
      inner.compact(snapshot);
    }
  }

  private static List<Entry> entries(long term, long first, long last) {
    List<Entry> out = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      out.add(new Entry(term, i, EntryType.NORMAL, ("t" + term + "i" + i).getBytes()));
    }
    return out;
  }

  /** What a Ready's executor does: store the unstable part, then confirm it. */
  private static void persist(RaftLog log, CountingStorage storage) {
    storage.append(log.unstableEntries());
    log.stableAll();
  }

  private static List<String> data(List<Entry> entries) {
    return entries.stream().map(e -> new String(e.data())).toList();
  }

  @Test
  void committedEntriesJustStoredAreAppliedWithoutReadingThemBack() {
    for (long cacheBytes : new long[] {1 << 20, 0}) {
      CountingStorage storage = new CountingStorage();
      RaftLog log = new RaftLog(storage, cacheBytes);
      log.append(entries(1, 1, 50));
      persist(log, storage);
      log.commitTo(50);
      List<Entry> applied = log.nextCommitted(Long.MAX_VALUE);
      assertEquals(50, applied.size());
      assertEquals(1, log.term(25));
      if (cacheBytes > 0) {
        assertEquals(0, storage.entriesRead, "entries read back with a cache");
        assertEquals(0, storage.termsRead, "terms read back with a cache");
      } else {
        assertEquals(50, storage.entriesRead, "without a cache every entry is read back");
      }
    }
  }

  @Test
  void entriesOverwrittenByANewLeaderAreNeverServedFromMemory() {
    CountingStorage storage = new CountingStorage();
    RaftLog log = new RaftLog(storage, 1 << 20);
    log.append(entries(1, 1, 5));
    persist(log, storage);
    log.commitTo(2);
    assertEquals(List.of(), log.maybeAppend(2, 1, entries(1, 3, 3)), "3 matches, nothing new");
    assertEquals(List.of("t2i3", "t2i4"), data(log.maybeAppend(2, 1, entries(2, 3, 4))));
    assertEquals(2, log.term(3), "before persisting, the unstable tail wins");
    persist(log, storage);
    assertEquals(4, log.lastIndex());
    assertEquals(RaftLog.UNAVAILABLE, log.term(5));
    assertEquals(List.of("t1i1", "t1i2", "t2i3", "t2i4"), data(log.entries(1, 5, Long.MAX_VALUE)));
    assertEquals(0, storage.entriesRead);
  }

  @Test
  void anOverwriteBelowTheCachedRunEmptiesIt() {
    CountingStorage storage = new CountingStorage();
    RaftLog log = new RaftLog(storage, 2 * 28); // the last two 28-byte entries
    log.append(entries(1, 1, 5));
    persist(log, storage);
    log.commitTo(1);
    log.maybeAppend(1, 1, entries(2, 2, 3));
    assertEquals(List.of("t1i1", "t2i2", "t2i3"), data(log.entries(1, 4, Long.MAX_VALUE)));
    persist(log, storage);
    assertEquals(List.of("t1i1", "t2i2", "t2i3"), data(log.entries(1, 4, Long.MAX_VALUE)));
  }

  @Test
  void olderEntriesComeFromStorageAndTheNewestFromMemory() {
    CountingStorage storage = new CountingStorage();
    RaftLog log = new RaftLog(storage, 10 * 30); // about ten 30-byte entries
    log.append(entries(1, 1, 40));
    persist(log, storage);
    log.append(entries(1, 41, 45));
    List<String> all = data(log.entries(1, 46, Long.MAX_VALUE));
    assertEquals(45, all.size());
    for (int i = 0; i < 45; i++) {
      assertEquals("t1i" + (i + 1), all.get(i));
    }
    assertTrue(storage.entriesRead > 0 && storage.entriesRead < 40, "read " + storage.entriesRead);
  }

  @Test
  void aRestoredSnapshotEmptiesTheCache() {
    CountingStorage storage = new CountingStorage();
    RaftLog log = new RaftLog(storage, 1 << 20);
    log.append(entries(1, 1, 5));
    persist(log, storage);
    Snapshot snapshot = new Snapshot(10, 3, Membership.ofVoters(java.util.Set.of(1)), new byte[0]);
    log.restore(snapshot);
    storage.applySnapshot(snapshot);
    log.stableAll();
    assertEquals(10, log.lastIndex());
    assertEquals(3, log.term(10));
    assertEquals(RaftLog.UNAVAILABLE, log.term(5));
    log.append(entries(3, 11, 12));
    persist(log, storage);
    assertEquals(List.of("t3i11", "t3i12"), data(log.entries(11, 13, Long.MAX_VALUE)));
  }
}
