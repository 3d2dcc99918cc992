package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB-specific Raft storage behaviour beyond the shared contract: reopen, group commit. */
class LogStoreRaftStorageTest {
  private static final long GROUP = 3;
  private static final Membership MEMBERS = Membership.ofVoters(Set.of(1, 2, 3));

  @TempDir Path dir;
  private PowerLoss power;
  private LogStore store;

  @BeforeEach
  void open() {
    power = new PowerLoss(Fixtures.config(dir));
    store = power.open();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static List<Entry> entries(long term, long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      byte[] data = ("e" + i + "t" + term).getBytes(StandardCharsets.UTF_8);
      out.add(new Entry(term, i, EntryType.NORMAL, data));
    }
    return out;
  }

  @Test
  void cleanCloseKeepsEverythingAndReopenRebuildsState() {
    RaftStorage s = store.group(GROUP);
    s.applySnapshot(new Snapshot(0, 0, MEMBERS, new byte[0]));
    s.append(entries(1, 1, 10));
    s.setHardState(new HardState(1, 2, 7));
    s.compact(new Snapshot(4, 1, MEMBERS, new byte[] {5}));
    store.close();
    store = power.open();
    RaftStorage r = store.group(GROUP);
    assertEquals(new HardState(1, 2, 7), r.hardState());
    assertEquals(5, r.firstIndex());
    assertEquals(10, r.lastIndex());
    assertEquals(MEMBERS, r.snapshotMembership());
    assertArrayEquals(new byte[] {5}, r.snapshot().data());
    assertEquals("e10t1", new String(r.entries(10, 11, 100).get(0).data(), StandardCharsets.UTF_8));
  }

  @Test
  void truncationAndCompactionBoundsAreChecked() {
    RaftStorage s = store.group(GROUP);
    s.append(entries(1, 1, 5));
    assertThrows(IllegalArgumentException.class, () -> s.append(entries(1, 7, 8)));
    s.compact(new Snapshot(3, 1, MEMBERS, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> s.append(entries(2, 2, 3)));
    assertThrows(
        IllegalArgumentException.class, () -> s.compact(new Snapshot(9, 1, MEMBERS, new byte[0])));
    assertThrows(RaftStorage.LogUnavailableException.class, () -> s.term(2));
    assertEquals(1, s.term(3));
  }

  @Test
  void concurrentSyncsShareFsyncsAndAllReturnDurable() throws Exception {
    int threads = 8;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      long group = 100 + t;
      Thread w =
          new Thread(
              () -> {
                try {
                  RaftStorage g = store.group(group);
                  for (long i = 1; i <= 50; i++) {
                    g.append(entries(1, i, i));
                    store.sync();
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(List.of(), failures);
    store = power.crashAndReopen(store);
    for (int t = 0; t < threads; t++) {
      assertEquals(50, store.group(100 + t).lastIndex(), "group " + (100 + t));
    }
  }
}
