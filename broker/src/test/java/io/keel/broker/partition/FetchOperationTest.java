package io.keel.broker.partition;

import static io.keel.broker.partition.PartitionHarness.validated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long-poll: the test thread is the partition's loop, the timer is real. */
class FetchOperationTest {
  @TempDir Path dir;
  private PartitionHarness h;
  private PartitionReplica replica;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void open() {
    h = new PartitionHarness(dir);
    replica = new PartitionReplica(h.sm, h.group, Runnable::run);
    h.becomeLeader(1);
  }

  @AfterEach
  void close() {
    timer.shutdownNow();
    h.close();
  }

  private CompletableFuture<List<FetchOperation.Outcome>> fetch(long offset, Duration wait) {
    return FetchOperation.start(
        List.of(new FetchOperation.Target(replica, offset, 1 << 20)), 1, 1 << 20, wait, timer);
  }

  @Test
  void parkedFetchCompletesWhenTheHighWatermarkAdvances() {
    CompletableFuture<List<FetchOperation.Outcome>> f = fetch(0, Duration.ofMinutes(5));
    assertFalse(f.isDone());
    assertEquals(1, h.sm.parkedFetches());
    h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    assertFalse(f.isDone(), "an uncommitted batch must not wake the fetch with data");
    h.commitAll();
    FetchOperation.Outcome o = f.join().get(0);
    assertNull(o.error());
    assertEquals(1, o.read().batches().size());
    assertEquals(3, o.read().highWatermark());
    assertEquals(0, h.sm.parkedFetches());
  }

  @Test
  void parkedFetchAnswersEmptyAtTheDeadline() throws Exception {
    CompletableFuture<List<FetchOperation.Outcome>> f = fetch(0, Duration.ofMillis(50));
    FetchOperation.Outcome o = f.get(10, TimeUnit.SECONDS).get(0);
    assertTrue(o.read().batches().isEmpty());
  }

  @Test
  void leadershipLossWakesTheFetchWithNotLeader() {
    CompletableFuture<List<FetchOperation.Outcome>> f = fetch(0, Duration.ofMinutes(5));
    h.becomeFollower(2, 2);
    assertEquals(io.keel.proto.ErrorCode.NOT_LEADER, f.join().get(0).error().code());
  }

  @Test
  void availableDataAnswersAtOnce() {
    h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    h.commitAll();
    assertTrue(fetch(0, Duration.ofMinutes(5)).isDone());
  }

  /** The read pool of a stopping node refuses the read: the fetch is retried elsewhere. */
  @Test
  void aReadRefusedByAStoppingNodeIsNodeShuttingDown() {
    FetchOperation.Outcome refused =
        FetchOperation.outcomeOf(
            null,
            new java.util.concurrent.CompletionException(
                new java.util.concurrent.RejectedExecutionException("reads shut down")));
    assertEquals(io.keel.proto.ErrorCode.NODE_SHUTTING_DOWN, refused.error().code());
    FetchOperation.Outcome broken = FetchOperation.outcomeOf(null, new IllegalStateException("x"));
    assertEquals(io.keel.proto.ErrorCode.UNKNOWN, broken.error().code());
  }
}
