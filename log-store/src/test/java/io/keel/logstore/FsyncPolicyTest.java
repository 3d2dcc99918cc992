package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each fsync policy makes durable, checked against simulated power loss. */
class FsyncPolicyTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static List<Entry> entry(long index) {
    return List.of(new Entry(1, index, EntryType.NORMAL, new byte[] {2, (byte) index}));
  }

  @Test
  void neverLeavesSyncedWritesExposedToPowerLoss() {
    PowerLoss power = new PowerLoss(Fixtures.config(dir).withFsyncPolicy(FsyncPolicy.never()));
    LogStore store = power.open();
    store.group(1).append(entry(1));
    store.sync();
    assertEquals(0, power.fsyncs());
    store = power.crashAndReopen(store);
    assertEquals(0, store.group(1).lastIndex());
    store.close();
  }

  @Test
  void intervalFsyncsInTheBackground() throws InterruptedException {
    LogStoreConfig config =
        Fixtures.config(dir).withFsyncPolicy(FsyncPolicy.interval(Duration.ofMillis(20)));
    PowerLoss power = new PowerLoss(config);
    LogStore store = power.open();
    store.group(1).append(entry(1));
    store.sync();
    long seen = power.fsyncs();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    // The first background fsync that starts after the append covers it: wait for two more.
    while (power.fsyncs() < seen + 2) {
      assertTrue(System.nanoTime() < deadline, "no background fsync within " + DEADLINE);
      Thread.sleep(5);
    }
    store = power.crashAndReopen(store);
    assertEquals(1, store.group(1).lastIndex());
    store.close();
  }

  @Test
  void intervalMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.interval(Duration.ZERO));
  }
}
