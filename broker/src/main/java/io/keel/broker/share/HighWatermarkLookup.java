package io.keel.broker.share;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A partition's high watermark, asked of its leader. A partition between leaders (an election, a
 * leader-balancing transfer) is asked again every {@link #RETRY} until the wait is over, so a
 * describe during a move reports the lag rather than "unknown" (-1). Thread-safe.
 */
final class HighWatermarkLookup {
  static final Duration LEADER_WAIT = Duration.ofSeconds(2);
  static final Duration RETRY = Duration.ofMillis(50);

  /** Reads committed records from a partition's leader; {@link ClusterLog#read} in production. */
  @FunctionalInterface
  interface Reader {
    CompletableFuture<ClusterLog.Read> read(String topic, int partition, long offset, int maxBytes);
  }

  private final Reader reader;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;

  HighWatermarkLookup(Reader reader, InstantSource clock, ScheduledExecutorService scheduler) {
    this.reader = reader;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** The high watermark, or -1 if the partition had no leader that answered within the wait. */
  CompletableFuture<Long> of(String topic, int partition, long offset) {
    CompletableFuture<Long> out = new CompletableFuture<>();
    attempt(topic, partition, offset, clock.millis() + LEADER_WAIT.toMillis(), out);
    return out;
  }

  private void attempt(
      String topic, int partition, long offset, long giveUpAt, CompletableFuture<Long> out) {
    CompletableFuture<ClusterLog.Read> read;
    try {
      read = reader.read(topic, partition, offset, 1);
    } catch (RuntimeException e) {
      read = CompletableFuture.failedFuture(e);
    }
    read.whenComplete(
        (r, e) -> {
          if (e == null) {
            out.complete(r.highWatermark());
          } else if (!betweenLeaders(unwrap(e)) || clock.millis() + RETRY.toMillis() > giveUpAt) {
            out.complete(-1L);
          } else {
            try {
              scheduler.schedule(
                  () -> attempt(topic, partition, offset, giveUpAt, out),
                  RETRY.toMillis(),
                  TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
              out.complete(-1L);
            }
          }
        });
  }

  /** No leader known, a deposed one answered, or the named one is unreachable: ask again. */
  private static boolean betweenLeaders(Throwable t) {
    return t instanceof PartitionUnavailableException
        || (t instanceof StatusRuntimeException s
            && s.getStatus().getCode() == Status.Code.UNAVAILABLE);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
