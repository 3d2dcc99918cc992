package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link DurableStore} / {@link RaftStorage} implementation must have. Subclass
 * it and implement {@link #openStore} and {@link #crashAndReopen}.
 */
public abstract class RaftStorageContract {
  private static final long GROUP = 7;
  private static final Membership MEMBERS = Membership.ofVoters(Set.of(1, 2, 3));

  @TempDir protected Path dir;
  private DurableStore store;

  /** Opens (or creates) the store kept in {@code dir}. */
  protected abstract DurableStore openStore(Path dir);

  /** Simulates power loss: the returned store has exactly what was synced before the crash. */
  protected abstract DurableStore crashAndReopen(DurableStore store, Path dir);

  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      store.close();
    }
  }

  private RaftStorage open() {
    store = openStore(dir);
    return store.group(GROUP);
  }

  private RaftStorage crash() {
    store = crashAndReopen(store, dir);
    return store.group(GROUP);
  }

  protected static Entry entry(long term, long index) {
    return new Entry(term, index, EntryType.NORMAL, ("e" + index + "t" + term).getBytes(UTF8));
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  protected static List<Entry> entries(long term, long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(term, i));
    }
    return out;
  }

  @Test
  void newGroupIsEmpty() {
    RaftStorage s = open();
    assertEquals(HardState.EMPTY, s.hardState());
    assertEquals(1, s.firstIndex());
    assertEquals(0, s.lastIndex());
    assertEquals(0, s.term(0));
    assertEquals(0, s.snapshot().index());
    assertEquals(List.of(), s.entries(1, 1, 100));
  }

  @Test
  void bootstrapSetsMembershipDurably() {
    RaftStorage s = open();
    RaftNode.bootstrap(s, MEMBERS);
    store.sync();
    s = crash();
    assertEquals(MEMBERS, s.snapshotMembership());
    assertEquals(1, s.firstIndex());
    assertEquals(0, s.lastIndex());
  }

  @Test
  void writesAreVisibleBeforeSync() {
    RaftStorage s = open();
    s.append(entries(1, 1, 3));
    s.setHardState(new HardState(1, 2, 1));
    assertEquals(3, s.lastIndex());
    assertEquals(new HardState(1, 2, 1), s.hardState());
    assertArrayEquals(entry(1, 2).data(), s.entries(2, 3, 1000).get(0).data());
  }

  @Test
  void syncedWritesSurviveCrashAndUnsyncedAreLost() {
    RaftStorage s = open();
    s.append(entries(1, 1, 3));
    s.setHardState(new HardState(1, 2, 1));
    store.sync();
    s.append(entries(2, 3, 5));
    s.setHardState(new HardState(2, 3, 2));
    s = crash();
    assertEquals(3, s.lastIndex());
    assertEquals(1, s.term(3));
    assertEquals(new HardState(1, 2, 1), s.hardState());
  }

  @Test
  void appendTruncatesConflictingSuffix() {
    RaftStorage s = open();
    s.append(entries(1, 1, 5));
    s.append(entries(2, 3, 4));
    assertEquals(4, s.lastIndex());
    assertEquals(1, s.term(2));
    assertEquals(2, s.term(3));
    assertEquals(2, s.term(4));
    store.sync();
    s = crash();
    assertEquals(4, s.lastIndex());
    assertEquals(2, s.term(4));
  }

  @Test
  void entriesRespectByteLimitButReturnAtLeastOne() {
    RaftStorage s = open();
    s.append(entries(1, 1, 10));
    long one = entry(1, 1).sizeBytes();
    assertEquals(1, s.entries(1, 11, 1).size());
    assertEquals(3, s.entries(1, 11, 3 * one).size());
    assertEquals(10, s.entries(1, 11, Long.MAX_VALUE).size());
    assertEquals(2, s.entries(4, 6, Long.MAX_VALUE).size());
    assertEquals(5, s.entries(4, 6, Long.MAX_VALUE).get(1).index());
  }

  @Test
  void readsOutsideTheLogThrow() {
    RaftStorage s = open();
    s.append(entries(1, 1, 3));
    assertThrows(RaftStorage.LogUnavailableException.class, () -> s.term(4));
    assertThrows(RaftStorage.LogUnavailableException.class, () -> s.entries(2, 5, 100));
  }

  @Test
  void compactDiscardsPrefixAndKeepsSnapshot() {
    RaftStorage s = open();
    RaftNode.bootstrap(s, MEMBERS);
    s.append(entries(1, 1, 10));
    store.sync();
    Membership later = Membership.ofVoters(Set.of(1, 2));
    s.compact(new Snapshot(6, 1, later, new byte[] {1, 2, 3}));
    assertEquals(7, s.firstIndex());
    assertEquals(10, s.lastIndex());
    assertEquals(1, s.term(6));
    assertEquals(later, s.snapshotMembership());
    assertThrows(RaftStorage.LogUnavailableException.class, () -> s.term(5));
    assertThrows(RaftStorage.LogUnavailableException.class, () -> s.entries(6, 8, 100));
    store.sync();
    RaftStorage r = crash();
    assertEquals(7, r.firstIndex());
    assertEquals(6, r.snapshot().index());
    assertArrayEquals(new byte[] {1, 2, 3}, r.snapshot().data());
    assertEquals(7, r.entries(7, 8, 100).get(0).index());
  }

  @Test
  void applySnapshotBeyondLogReplacesIt() {
    RaftStorage s = open();
    s.append(entries(1, 1, 3));
    s.applySnapshot(new Snapshot(20, 4, MEMBERS, new byte[] {9}));
    assertEquals(21, s.firstIndex());
    assertEquals(20, s.lastIndex());
    assertEquals(4, s.term(20));
    s.append(entries(4, 21, 22));
    store.sync();
    RaftStorage r = crash();
    assertEquals(22, r.lastIndex());
    assertEquals(20, r.snapshot().index());
    assertEquals(MEMBERS, r.snapshotMembership());
  }

  @Test
  void applySnapshotWithMatchingEntryKeepsSuffix() {
    RaftStorage s = open();
    s.append(entries(1, 1, 8));
    s.applySnapshot(new Snapshot(5, 1, MEMBERS, new byte[] {9}));
    assertEquals(6, s.firstIndex());
    assertEquals(8, s.lastIndex());
    assertEquals(1, s.term(7));
  }

  @Test
  void unsyncedSnapshotIsLostOnCrash() {
    RaftStorage s = open();
    s.append(entries(1, 1, 3));
    store.sync();
    s.applySnapshot(new Snapshot(20, 4, MEMBERS, new byte[] {9}));
    RaftStorage r = crash();
    assertEquals(1, r.firstIndex());
    assertEquals(3, r.lastIndex());
  }

  @Test
  void groupsAreIndependentAndDropRemovesData() {
    RaftStorage a = open();
    RaftStorage b = store.group(GROUP + 1);
    a.append(entries(1, 1, 2));
    b.append(entries(3, 1, 5));
    store.sync();
    assertEquals(2, store.group(GROUP).lastIndex());
    assertEquals(5, store.group(GROUP + 1).lastIndex());
    store.dropGroup(GROUP + 1);
    store.sync();
    assertEquals(0, store.group(GROUP + 1).lastIndex());
    RaftStorage r = crash();
    assertEquals(2, r.lastIndex());
    assertEquals(0, store.group(GROUP + 1).lastIndex());
  }
}
