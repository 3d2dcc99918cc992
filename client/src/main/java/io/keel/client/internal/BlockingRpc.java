package io.keel.client.internal;

import com.google.common.util.concurrent.ListenableFuture;
import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.RetriableException;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A blocking RPC that is retried, after retry.backoff.ms, on retriable failures until a deadline.
 * Used off the hot path: offset lookups, commits, admin operations.
 */
public final class BlockingRpc {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlockingRpc.class);

  private final ChannelPool channels;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;

  public BlockingRpc(ChannelPool channels, int requestTimeoutMs, long retryBackoffMs) {
    this.channels = channels;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
  }

  /**
   * The same, with each attempt bounded by {@code attemptTimeoutMs} (if shorter): for reads that
   * are safe to repeat, so a node that stopped answering costs one short attempt, not
   * request.timeout.ms.
   */
  public BlockingRpc withAttemptTimeout(long attemptTimeoutMs) {
    return new BlockingRpc(
        channels, (int) Math.min(requestTimeoutMs, attemptTimeoutMs), retryBackoffMs);
  }

  /**
   * Calls {@code rpc} on the node {@code target} names until {@code check} accepts the response
   * (returns normally) or throws a non-retriable exception, or {@code deadlineNanos} passes. {@code
   * onRetriable} runs before each retry (e.g. to refresh metadata).
   */
  public <T> T call(
      String what,
      Supplier<HostPort> target,
      Function<KeelClientFutureStub, ListenableFuture<T>> rpc,
      java.util.function.Consumer<T> check,
      Runnable onRetriable,
      long deadlineNanos) {
    KeelException last = null;
    while (true) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remainingMs <= 0) {
        String cause = last == null ? "" : ": " + last.getMessage();
        throw new KeelTimeoutException(what + " did not complete in time" + cause, last);
      }
      try {
        HostPort node = target.get();
        T response =
            rpc.apply(channels.stub(node, Math.min(requestTimeoutMs, remainingMs)))
                .get(remainingMs + 1000, TimeUnit.MILLISECONDS);
        check.accept(response);
        return response;
      } catch (ExecutionException e) {
        last = Errors.fromRpcFailure(e, what);
      } catch (RetriableException e) {
        last = e;
      } catch (TimeoutException e) {
        last = new KeelTimeoutException(what + " timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KeelException("interrupted during " + what, e);
      }
      if (!(last instanceof RetriableException)) {
        throw last;
      }
      log.debug("{} failed, retrying: {}", what, last.getMessage());
      onRetriable.run();
      sleep(Math.min(retryBackoffMs, Math.max(0, remainingMs)));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted while backing off", e);
    }
  }
}
