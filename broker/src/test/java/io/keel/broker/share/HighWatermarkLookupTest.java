package io.keel.broker.share;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HighWatermarkLookupTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong nowMs = new AtomicLong(1_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
  private final AtomicInteger reads = new AtomicInteger();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aPartitionBetweenLeadersIsAskedAgainUntilItsNewLeaderAnswers() throws Exception {
    HighWatermarkLookup lookup =
        new HighWatermarkLookup(
            (t, p, o, max) ->
                switch (reads.incrementAndGet()) {
                  case 1 ->
                      CompletableFuture.failedFuture(
                          new PartitionUnavailableException(t + "-" + p + ": NOT_LEADER"));
                  case 2 -> CompletableFuture.failedFuture(Status.UNAVAILABLE.asRuntimeException());
                  default ->
                      CompletableFuture.supplyAsync(() -> new ClusterLog.Read(List.of(), 7, 0));
                },
            clock,
            scheduler);
    assertEquals(7L, lookup.of("t", 0, 3).get(10, TimeUnit.SECONDS));
    assertEquals(3, reads.get());
  }

  @Test
  void aPartitionWithoutLeaderForTheWholeWaitIsUnknown() throws Exception {
    long stepMs = 300;
    HighWatermarkLookup lookup =
        new HighWatermarkLookup(
            (t, p, o, max) -> {
              reads.incrementAndGet();
              nowMs.addAndGet(stepMs);
              throw new PartitionUnavailableException(t + "-" + p + " has no known leader");
            },
            clock,
            scheduler);
    assertEquals(-1L, lookup.of("t", 0, 3).get(10, TimeUnit.SECONDS));
    // Each read costs 300 ms of the 2 s wait: reads end at +300 ... +2,100 ms, the seventh past it.
    assertEquals(HighWatermarkLookup.LEADER_WAIT.toMillis() / stepMs + 1, reads.get());
  }

  @Test
  void otherErrorsAreNotRetried() throws Exception {
    HighWatermarkLookup lookup =
        new HighWatermarkLookup(
            (t, p, o, max) -> {
              reads.incrementAndGet();
              return CompletableFuture.failedFuture(new IllegalStateException("UNKNOWN_TOPIC"));
            },
            clock,
            scheduler);
    assertEquals(-1L, lookup.of("t", 0, 3).get(10, TimeUnit.SECONDS));
    assertEquals(1, reads.get());
  }
}
