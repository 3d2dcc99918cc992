package io.keel.broker.partition;

import static io.keel.broker.partition.PartitionHarness.validated;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.logstore.StoredBatch;
import io.keel.proto.ErrorCode;
import io.keel.proto.records.RecordBatch;
import io.keel.raft.Membership;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionStateMachineTest {
  @TempDir Path dir;
  private PartitionHarness h;

  @BeforeEach
  void open() {
    h = new PartitionHarness(dir);
  }

  @AfterEach
  void close() {
    h.close();
  }

  private static PartitionException failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "expected a failed future, got " + f);
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(PartitionException.class, e.getCause());
  }

  @Test
  void acksAllAnswersOnlyAfterCommitWithTheAssignedOffsets() {
    h.becomeLeader(1);
    CompletableFuture<ProduceResult> first = h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    CompletableFuture<ProduceResult> second = h.sm.produce(validated(-1, 0, 0, 2), Acks.ALL);
    assertFalse(first.isDone());
    assertEquals(0, h.sm.highWatermark());
    h.commitAll();
    assertEquals(0, first.join().baseOffset());
    assertEquals(3, second.join().baseOffset());
    assertEquals(5, h.sm.highWatermark());
  }

  @Test
  void acksLeaderAnswersOnLocalAppendAndAcksNoneAtOnce() {
    h.becomeLeader(1);
    CompletableFuture<ProduceResult> leader = h.sm.produce(validated(-1, 0, 0, 3), Acks.LEADER);
    assertEquals(0, leader.join().baseOffset());
    CompletableFuture<ProduceResult> none = h.sm.produce(validated(-1, 0, 0, 1), Acks.NONE);
    assertEquals(-1, none.join().baseOffset());
    assertEquals(0, h.sm.highWatermark());
  }

  @Test
  void retryOfCommittedBatchReturnsOriginalOffsetAndIsNotStoredTwice() {
    h.becomeLeader(1);
    h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    h.sm.produce(validated(9, 0, 2, 3), Acks.ALL);
    h.commitAll();
    int proposals = h.group.proposed().size();
    ProduceResult retry = h.sm.produce(validated(9, 0, 2, 3), Acks.ALL).join();
    assertEquals(2, retry.baseOffset());
    assertEquals(proposals, h.group.proposed().size());
    assertEquals(5, h.sm.logEndOffset());
  }

  @Test
  void retryOfInflightBatchWaitsForTheOriginal() {
    h.becomeLeader(1);
    CompletableFuture<ProduceResult> original = h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    CompletableFuture<ProduceResult> retry = h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    assertEquals(1, h.group.proposed().size());
    assertFalse(retry.isDone());
    h.commitAll();
    assertEquals(0, original.join().baseOffset());
    assertEquals(0, retry.join().baseOffset());
    assertEquals(2, h.sm.logEndOffset());
  }

  @Test
  void outOfOrderSequenceAndFencedEpochAreRefusedBeforeAnythingIsStored() {
    h.becomeLeader(1);
    h.sm.produce(validated(9, 3, 0, 2), Acks.ALL);
    h.commitAll();
    CompletableFuture<ProduceResult> ahead = h.sm.produce(validated(9, 3, 5, 1), Acks.ALL);
    assertFalse(ahead.isDone(), "a batch ahead of its sequence waits for the gap to fill");
    PartitionException fenced = failure(h.sm.produce(validated(9, 2, 2, 1), Acks.ALL));
    assertEquals(ErrorCode.PRODUCER_FENCED, fenced.code());
    PartitionException overlap = failure(h.sm.produce(validated(9, 3, 1, 2), Acks.ALL));
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, overlap.code());
    // The gap never fills: once the wait passes the parked batch is refused.
    ExecutionException e = assertThrows(ExecutionException.class, () -> ahead.get(30, SECONDS));
    PartitionException gap = assertInstanceOf(PartitionException.class, e.getCause());
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.code());
    assertTrue(gap.getMessage().contains("expected sequence 2, got 5"), gap.getMessage());
    assertEquals(0, h.sm.parkedProduces());
    assertEquals(1, h.group.proposed().size());
  }

  @Test
  void batchesOfOneProducerThatOvertakeEachOtherAreProposedInSequenceOrder() {
    h.becomeLeader(1);
    // Ten in-flight batches of 3 records each, arriving in a scrambled order.
    int[] arrival = {3, 0, 7, 1, 2, 9, 5, 4, 8, 6};
    List<CompletableFuture<ProduceResult>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(null);
    }
    for (int n : arrival) {
      results.set(n, h.sm.produce(validated(9, 0, 3 * n, 3), Acks.ALL));
    }
    assertEquals(0, h.sm.parkedProduces());
    assertEquals(10, h.group.proposed().size());
    h.commitAll();
    for (int n = 0; n < 10; n++) {
      assertEquals(3L * n, results.get(n).join().baseOffset(), "batch " + n);
    }
    assertEquals(30, h.sm.highWatermark());
  }

  @Test
  void parkedBatchesFailWithNotLeaderWhenLeadershipIsLost() {
    h.becomeLeader(1);
    CompletableFuture<ProduceResult> ahead = h.sm.produce(validated(9, 0, 4, 1), Acks.ALL);
    assertFalse(ahead.isDone());
    h.becomeFollower(3, 2);
    assertEquals(ErrorCode.NOT_LEADER, failure(ahead).code());
    assertEquals(0, h.sm.parkedProduces());
  }

  @Test
  void followerAnswersNotLeaderNamingTheLeader() {
    h.becomeFollower(3, 2);
    PartitionException e = failure(h.sm.produce(validated(-1, 0, 0, 1), Acks.ALL));
    assertEquals(ErrorCode.NOT_LEADER, e.code());
    assertEquals(3, e.leaderId());
    PartitionException read = assertThrows(PartitionException.class, () -> h.sm.read(0, 100, true));
    assertEquals(ErrorCode.NOT_LEADER, read.code());
  }

  @Test
  void newLeaderQueuesProducesUntilItsOwnTermEntryIsApplied() {
    h.becomeLeader(1);
    h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    // Leadership moves on before the batch commits; the entry survives in the log.
    h.becomeLeaderWithoutNoop(2);
    CompletableFuture<ProduceResult> retry = h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    assertFalse(retry.isDone());
    h.commitNoop(2);
    assertEquals(0, retry.join().baseOffset());
    assertEquals(1, h.group.proposed().size());
  }

  @Test
  void queuedProducesFailWithNotLeaderWhenLeadershipIsLost() {
    h.becomeLeaderWithoutNoop(1);
    CompletableFuture<ProduceResult> queued = h.sm.produce(validated(-1, 0, 0, 1), Acks.ALL);
    h.becomeFollower(2, 2);
    assertEquals(ErrorCode.NOT_LEADER, failure(queued).code());
  }

  @Test
  void readServesOnlyCommittedBatchesStampedWithTheirOffsets() {
    h.becomeLeader(1);
    h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    h.commitAll();
    h.sm.produce(validated(-1, 0, 0, 2), Acks.ALL);
    PartitionRead read = h.sm.read(0, 1 << 20, true);
    assertEquals(3, read.highWatermark());
    List<StoredBatch> batches = read.batches();
    assertEquals(1, batches.size());
    assertEquals(0, RecordBatch.decode(batches.get(0).batchBytes()).baseOffset());
    assertTrue(h.sm.read(3, 1 << 20, true).batches().isEmpty());
    h.commitAll();
    PartitionRead second = h.sm.read(3, 1 << 20, true);
    assertEquals(3, RecordBatch.decode(second.batches().get(0).batchBytes()).baseOffset());
  }

  @Test
  void offsetsOutsideLogStartAndHighWatermarkAreOutOfRange() {
    h.becomeLeader(1);
    h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    h.commitAll();
    PartitionException e = assertThrows(PartitionException.class, () -> h.sm.read(4, 100, true));
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, e.code());
    assertTrue(e.getMessage().contains("high watermark 3"), e.getMessage());
  }

  @Test
  void atLeastOneBatchIsReturnedEvenWhenLargerThanTheLimit() {
    h.becomeLeader(1);
    h.sm.produce(validated(-1, 0, 0, 50), Acks.ALL);
    h.sm.produce(validated(-1, 0, 0, 50), Acks.ALL);
    h.commitAll();
    assertEquals(1, h.sm.read(0, 10, true).batches().size());
    assertEquals(0, h.sm.read(0, 10, false).batches().size());
    assertEquals(0, h.sm.read(0, 0, false).batches().size());
    assertEquals(2, h.sm.read(0, 1 << 20, true).batches().size());
  }

  @Test
  void snapshotRestoresHighWatermarkAndProducerState() {
    h.becomeLeader(1);
    h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    h.sm.produce(validated(9, 0, 2, 2), Acks.ALL);
    h.commitAll();
    byte[] image = h.sm.takeSnapshot();
    long applied = h.sm.appliedIndex();

    PartitionStateMachine copy =
        new PartitionStateMachine(
            PartitionHarness.ID, h.store.partitionLog(PartitionHarness.GROUP), 1000);
    copy.restoreSnapshot(new Snapshot(applied, 1, Membership.ofVoters(Set.of(1)), image));
    assertEquals(4, copy.highWatermark());
    assertArrayEquals(image, copy.takeSnapshot());
  }

  @Test
  void followerRebuildsProducerStateFromTheLogSoItCanAnswerRetriesAsLeader() {
    h.becomeLeader(1);
    h.sm.produce(validated(9, 0, 0, 2), Acks.ALL);
    h.commitAll();
    h.becomeFollower(2, 2);
    h.becomeLeader(3);
    assertEquals(0, h.sm.produce(validated(9, 0, 0, 2), Acks.ALL).join().baseOffset());
    assertEquals(1, h.group.proposed().size());
  }
}
