package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /** Term and vote are fsynced whatever the policy; a commit-only change is not. */
  @ParameterizedTest
  @ValueSource(strings = {"never", "interval"})
  void termAndVoteSurvivePowerLossInEveryPolicy(String policy) {
    FsyncPolicy p =
        policy.equals("never") ? FsyncPolicy.never() : FsyncPolicy.interval(Duration.ofHours(1));
    PowerLoss power = new PowerLoss(Fixtures.config(dir).withFsyncPolicy(p));
    LogStore store = power.open();
    store.group(1).setHardState(new HardState(4, 2, 0));
    store.sync();
    assertEquals(1, power.fsyncs(), "a vote must cost one fsync");
    store.group(1).append(entry(1));
    store.group(1).setHardState(new HardState(4, 2, 1));
    store.sync();
    assertEquals(1, power.fsyncs(), "an append and a commit index ride on the policy");
    store = power.crashAndReopen(store);
    assertEquals(new HardState(4, 2, 0), store.group(1).hardState());
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
