package io.keel.broker.partition;

import io.keel.broker.raft.NodeStopping;
import io.keel.proto.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fetch over several local partitions, with long-poll: reads every partition in order within
 * the byte budgets; if fewer than {@code minBytes} came back and no partition failed, parks a
 * one-shot waiter on each partition and reads again when a high watermark moves or when {@code
 * maxWait} passes on the shared timer. No thread waits.
 *
 * <p>Like Kafka, the first batch of the first partition with data is returned even when it is
 * larger than the limits, so one large batch cannot wedge a consumer.
 */
public final class FetchOperation {

  /** One partition to read. */
  public record Target(PartitionReplica replica, long fetchOffset, int partitionMaxBytes) {}

  /** The result for one target: exactly one of {@code read} and {@code error} is set. */
  public record Outcome(PartitionRead read, PartitionException error) {}

  private final List<Target> targets;
  private final int minBytes;
  private final int maxBytes;
  private final CompletableFuture<List<Outcome>> result = new CompletableFuture<>();
  private final List<AtomicBoolean> parked = new ArrayList<>();
  private volatile boolean timedOut;
  private ScheduledFuture<?> timer;
  // Guarded by this: one attempt at a time; a wake-up during an attempt asks for another.
  private boolean running;
  private boolean again;

  private FetchOperation(List<Target> targets, int minBytes, int maxBytes) {
    this.targets = List.copyOf(targets);
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    targets.forEach(t -> parked.add(new AtomicBoolean()));
  }

  /** Starts the fetch; the future completes with one outcome per target, in order. */
  public static CompletableFuture<List<Outcome>> start(
      List<Target> targets,
      int minBytes,
      int maxBytes,
      Duration maxWait,
      ScheduledExecutorService timer) {
    FetchOperation op = new FetchOperation(targets, minBytes, maxBytes);
    if (maxWait.isZero() || maxWait.isNegative()) {
      op.timedOut = true;
    } else {
      op.timer = timer.schedule(op::expire, maxWait.toNanos(), TimeUnit.NANOSECONDS);
    }
    op.wake();
    return op.result;
  }

  private void expire() {
    timedOut = true;
    wake();
  }

  private void wake() {
    synchronized (this) {
      if (result.isDone()) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
    }
    attempt();
  }

  private void attempt() {
    readFrom(0, new ArrayList<>(), 0)
        .whenComplete(
            (outcomes, err) -> {
              if (err != null) {
                finish(null, err);
              } else if (timedOut || hasError(outcomes) || bytesOf(outcomes) >= minBytes) {
                finish(outcomes, null);
              } else {
                park(outcomes);
                afterAttempt();
              }
            });
  }

  private void afterAttempt() {
    boolean rerun;
    synchronized (this) {
      rerun = again;
      again = false;
      running = rerun;
    }
    if (rerun) {
      attempt();
    }
  }

  private CompletableFuture<List<Outcome>> readFrom(int i, List<Outcome> done, long bytesSoFar) {
    if (i == targets.size()) {
      return CompletableFuture.completedFuture(done);
    }
    Target t = targets.get(i);
    int budget = (int) Math.max(0, Math.min(t.partitionMaxBytes(), maxBytes - bytesSoFar));
    return t.replica()
        .read(t.fetchOffset(), budget, bytesSoFar == 0)
        .handle(FetchOperation::outcomeOf)
        .thenCompose(
            outcome -> {
              done.add(outcome);
              long bytes = outcome.read() == null ? 0 : outcome.read().sizeBytes();
              return readFrom(i + 1, done, bytesSoFar + bytes);
            });
  }

  static Outcome outcomeOf(PartitionRead read, Throwable err) {
    if (err == null) {
      return new Outcome(read, null);
    }
    Throwable cause =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof PartitionException pe) {
      return new Outcome(null, pe);
    }
    return new Outcome(
        null,
        NodeStopping.causedBy(cause)
            ? new PartitionException(ErrorCode.NODE_SHUTTING_DOWN, NodeStopping.message(cause))
            : new PartitionException(ErrorCode.UNKNOWN, String.valueOf(cause)));
  }

  private void park(List<Outcome> outcomes) {
    for (int i = 0; i < targets.size(); i++) {
      AtomicBoolean isParked = parked.get(i);
      if (isParked.compareAndSet(false, true)) {
        targets
            .get(i)
            .replica()
            .awaitChange(
                outcomes.get(i).read().highWatermark(),
                () -> {
                  isParked.set(false);
                  wake();
                });
      }
    }
  }

  private void finish(List<Outcome> outcomes, Throwable err) {
    if (timer != null) {
      timer.cancel(false);
    }
    if (err != null) {
      result.completeExceptionally(err);
    } else {
      result.complete(outcomes);
    }
  }

  private static boolean hasError(List<Outcome> outcomes) {
    return outcomes.stream().anyMatch(o -> o.error() != null);
  }

  private static long bytesOf(List<Outcome> outcomes) {
    return outcomes.stream().mapToLong(o -> o.read() == null ? 0 : o.read().sizeBytes()).sum();
  }
}
