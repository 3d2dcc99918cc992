package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
import io.keel.raft.RaftStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss at random points, in a loop of crash and reopen: every write not yet fsynced is lost
 * except a random prefix of it (a torn last write). Contract: every entry that a {@code sync()}
 * covered is present and intact, the durable commit index never exceeds the log, and what exists
 * after the synced entries is a whole-entry prefix of what was appended. This is the test that
 * depends on fsync: with the WAL fsync in {@code sync()} removed it fails in the first round.
 */
@Timeout(120)
class PowerLossLoopTest {
  private static final long GROUP = 4;
  private static final int CRASHES = 25;

  @TempDir Path dir;

  @Test
  void everySyncedEntrySurvivesPowerLossAndNothingIsHalfVisible() {
    long seed = Long.getLong("keel.seed", System.nanoTime());
    System.out.printf(
        "PowerLossLoopTest seed=%d; replay: ./mvnw -B -pl log-store test"
            + " -Dtest=PowerLossLoopTest -Dkeel.seed=%d%n",
        seed, seed);
    SplittableRandom random = new SplittableRandom(seed);
    PowerLoss power = new PowerLoss(Fixtures.config(dir));
    LogStore store = power.open();
    long synced = 0;
    for (int crash = 0; crash < CRASHES; crash++) {
      RaftStorage s = store.group(GROUP);
      long last = s.lastIndex();
      int steps = random.nextInt(1, 30);
      for (int step = 0; step < steps; step++) {
        List<Entry> batch = new ArrayList<>();
        for (int n = random.nextInt(1, 4); n > 0; n--) {
          batch.add(entry(++last));
        }
        s.append(batch);
        if (random.nextInt(3) == 0) {
          s.setHardState(new HardState(1, 1, last));
          store.sync();
          synced = last;
        }
      }
      store = power.crashAndReopen(store, random);
      s = store.group(GROUP);
      String at = "seed " + seed + ", crash " + crash;
      assertTrue(
          s.lastIndex() >= synced, at + ": lost synced " + synced + ", last " + s.lastIndex());
      assertTrue(s.hardState().commit() <= s.lastIndex(), at + ": commit beyond the log");
      checkIntact(s, at);
      assertEquals(s.lastIndex(), store.partitionLog(GROUP).nextOffset(), at);
      store.sync();
      synced = s.lastIndex();
    }
    store.close();
  }

  private static void checkIntact(RaftStorage s, String at) {
    long next = 1;
    while (next <= s.lastIndex()) {
      for (Entry e : s.entries(next, s.lastIndex() + 1, 1 << 20)) {
        assertEquals(next, e.index(), at);
        assertArrayEquals(entry(next).data(), e.data(), at + ": entry " + next);
        next++;
      }
    }
  }

  /** Entry {@code i} holds one record at offset {@code i - 1}; sizes span inline and blob. */
  private static Entry entry(long index) {
    long offset = index - 1;
    int size = 100 + (int) ((offset * 7919) % 3000);
    byte[] data =
        new BatchEnvelope(offset, 1, offset, offset, Fixtures.batchBytes(offset, size)).encode();
    return new Entry(1, index, EntryType.NORMAL, data);
  }
}
