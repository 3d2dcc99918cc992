package io.keel.logstore;

import static io.keel.logstore.Fixtures.opaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at every RocksDB write of one Ready (as the broker stages it: hard state, snapshot,
 * entries, then sync) leaves either the old state or the whole new one, never a commit index over
 * entries it does not cover. The crash is a write that never happens followed by a close without
 * fsync: what the page cache already holds survives, as after a process kill.
 */
@Timeout(60)
class ReadyAtomicityTest {
  private static final long GROUP = 3;
  private static final Membership MEMBERS = new Membership(Set.of(1, 2, 3), Set.of());

  @TempDir Path tmp;

  private static final class Crash extends RuntimeException {
    Crash() {
      super("simulated crash before a RocksDB write");
    }
  }

  /** A new leader's 6'-8' replace this follower's uncommitted 6-8, with leader commit 8. */
  @Test
  void overwrittenSuffixWithCommitIsAllOrNothing() {
    for (int crashAt = 0; ; crashAt++) {
      Path dir = tmp.resolve("overwrite-" + crashAt);
      try (LogStore store = LogStore.open(Fixtures.config(dir))) {
        RaftStorage s = store.group(GROUP);
        s.append(entries(1, 1, 8));
        s.setHardState(new HardState(1, 1, 5));
        store.sync();
      }
      boolean crashed =
          crashDuring(
              dir,
              crashAt,
              s -> {
                s.setHardState(new HardState(2, 0, 8));
                s.append(entries(2, 6, 8));
              });
      try (LogStore store = LogStore.open(Fixtures.config(dir))) {
        RaftStorage s = store.group(GROUP);
        assertCommittedPrefix(s, crashAt, i -> i <= 5 ? 1L : 2L);
      }
      if (!crashed) {
        return;
      }
    }
  }

  /** A snapshot at 10 wipes a log of 1-8, entries 11-12 follow it, commit 12: all or nothing. */
  @Test
  void snapshotEntriesAndCommitAreAllOrNothing() {
    for (int crashAt = 0; ; crashAt++) {
      Path dir = tmp.resolve("snapshot-" + crashAt);
      try (LogStore store = LogStore.open(Fixtures.config(dir))) {
        RaftStorage s = store.group(GROUP);
        s.append(entries(1, 1, 8));
        s.setHardState(new HardState(1, 1, 3));
        store.sync();
      }
      boolean crashed =
          crashDuring(
              dir,
              crashAt,
              s -> {
                s.setHardState(new HardState(2, 0, 12));
                s.applySnapshot(new Snapshot(10, 2, MEMBERS, new byte[] {7}));
                s.append(entries(2, 11, 12));
              });
      try (LogStore store = LogStore.open(Fixtures.config(dir))) {
        RaftStorage s = store.group(GROUP);
        if (s.hardState().commit() > 3) {
          assertEquals(11, s.firstIndex(), "crash point " + crashAt + ": snapshot missing");
        }
        assertCommittedPrefix(s, crashAt, i -> i <= 3 ? 1L : 2L);
      }
      if (!crashed) {
        return;
      }
    }
  }

  /**
   * Another group's loop syncs the shared store while this group stages Readies whose commit index
   * covers their own new entry: no sync may write a Ready's hard state without its entries (the
   * store would refuse it as a commit index beyond the log). Staged as three separate calls instead
   * of {@code stageReady}, this failed within a few hundred Readies.
   */
  @Test
  void aConcurrentSyncNeverWritesHalfAReady() throws Exception {
    try (LogStore store =
        LogStore.open(Fixtures.config(tmp.resolve("race")).withFsyncPolicy(FsyncPolicy.never()))) {
      RaftStorage s = store.group(GROUP);
      store.group(GROUP + 1).append(entries(1, 1, 1));
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<Void> otherLoop =
          CompletableFuture.runAsync(
              () -> {
                while (!done.get()) {
                  store.sync();
                }
              });
      try {
        for (long i = 1; i <= 20_000 && !otherLoop.isDone(); i++) {
          s.stageReady(new HardState(1, 1, i), null, entries(1, i, i));
        }
      } finally {
        done.set(true);
      }
      otherLoop.get(10, TimeUnit.SECONDS);
      store.sync();
      assertEquals(20_000, s.hardState().commit());
    }
  }

  private interface ReadySteps {
    void run(RaftStorage s);
  }

  /** Runs {@code steps} and a sync, crashing before write number {@code crashAt}. */
  private static boolean crashDuring(Path dir, int crashAt, ReadySteps steps) {
    LogStore store = LogStore.open(Fixtures.config(dir));
    AtomicInteger writes = new AtomicInteger();
    store
        .rocks()
        .beforeEachWrite(
            () -> {
              if (writes.getAndIncrement() == crashAt) {
                throw new Crash();
              }
            });
    try {
      steps.run(store.group(GROUP));
      store.sync();
      return false;
    } catch (Crash expected) {
      return true;
    } finally {
      store.rocks().beforeEachWrite(() -> {});
      store.closeWithoutSync();
    }
  }

  private interface TermAt {
    long of(long index);
  }

  /** Every entry up to the durable commit index is the one that was committed there. */
  private static void assertCommittedPrefix(RaftStorage s, int crashAt, TermAt committedTerm) {
    long commit = s.hardState().commit();
    assertTrue(
        commit <= s.lastIndex(),
        "crash point " + crashAt + ": commit " + commit + " beyond last index " + s.lastIndex());
    for (long i = s.firstIndex(); i <= commit; i++) {
      assertEquals(
          committedTerm.of(i),
          s.term(i),
          "crash point " + crashAt + ": entry " + i + " under commit " + commit);
    }
  }

  private static List<Entry> entries(long term, long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(opaque(term, i));
    }
    return out;
  }
}
