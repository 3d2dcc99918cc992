package io.keel.broker.partition;

import static io.keel.broker.partition.PartitionHarness.validated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.logstore.LogStoreConfig;
import io.keel.logstore.RetentionPolicy;
import io.keel.proto.ErrorCode;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;
  private PartitionHarness h;

  @BeforeEach
  void open() {
    // Tiny segments, so every few batches roll a new one that retention can remove whole.
    h = new PartitionHarness(LogStoreConfig.defaults(dir).withSegments(300, Duration.ofHours(1)));
    h.becomeLeader(1);
    for (int i = 0; i < 20; i++) {
      h.sm.produce(validated(9, 0, 2 * i, 2), Acks.ALL);
    }
    h.commitAll();
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** Does what the runtime does for RaftGroup.compact: snapshot the state machine, compact. */
  private Snapshot compactAsRuntimeWould() {
    long index = h.group.compactedTo;
    Snapshot snapshot =
        new Snapshot(
            index, h.storage.term(index), Membership.ofVoters(Set.of(1)), h.sm.takeSnapshot());
    h.storage.compact(snapshot);
    h.store.sync();
    return snapshot;
  }

  @Test
  void sizeRetentionCompactsWholeSegmentsAndAdvancesLogStart() {
    long removed = h.sm.applyRetention(System.currentTimeMillis(), RetentionPolicy.ofBytes(600));
    assertTrue(removed > 0, "expected retention to remove segments");
    compactAsRuntimeWould();
    long logStart = h.sm.logStartOffset();
    assertTrue(logStart > 0 && logStart < 40, "log start " + logStart);
    assertEquals(40, h.sm.highWatermark());
    PartitionException e = assertThrows(PartitionException.class, () -> h.sm.read(0, 100, true));
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, e.code());
    assertEquals(logStart, h.sm.read(logStart, 1 << 20, true).batches().get(0).baseOffset());
  }

  @Test
  void replicaRestoredFromARetentionSnapshotSkipsTheEntriesItAlreadyCovers() {
    h.sm.applyRetention(System.currentTimeMillis(), RetentionPolicy.ofBytes(600));
    Snapshot snapshot = compactAsRuntimeWould();
    PartitionStateMachine restored =
        new PartitionStateMachine(
            PartitionHarness.ID, h.store.partitionLog(PartitionHarness.GROUP), 1000);
    restored.restoreSnapshot(snapshot);
    for (long i = snapshot.index() + 1; i <= h.sm.appliedIndex(); i++) {
      Entry e = h.storage.entries(i, i + 1, Long.MAX_VALUE).get(0);
      restored.apply(new Entry(e.term(), e.index(), EntryType.NORMAL, e.data()));
    }
    assertEquals(40, restored.highWatermark());
  }

  @Test
  void timeRetentionRemovesOnlySegmentsWhoseNewestRecordIsOlderThanTheLimit() {
    // The records carry timestamps around 1 000 ms after the epoch.
    RetentionPolicy oneDay = RetentionPolicy.ofTime(Duration.ofDays(1));
    assertEquals(0, h.sm.applyRetention(2_000, oneDay));
    assertTrue(h.sm.applyRetention(Duration.ofDays(2).toMillis(), oneDay) > 0);
  }
}
