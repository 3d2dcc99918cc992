package io.keel.client.internal;

import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.RetriableException;
import io.keel.client.UnknownTopicException;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches cluster metadata and refreshes it when asked (NOT_LEADER, unknown partition) or when it is
 * older than metadata.max.age.ms. At most one refresh is in flight; concurrent callers share it.
 * Thread-safe.
 */
public final class MetadataManager {
  private static final Logger log = LoggerFactory.getLogger(MetadataManager.class);

  private final ChannelPool channels;
  private final List<HostPort> bootstrap;
  private final int requestTimeoutMs;
  private final long maxAgeMs;
  private final AtomicInteger nextNode = new AtomicInteger();
  private volatile ClusterSnapshot current = ClusterSnapshot.EMPTY;
  private volatile long fetchedAtMs = Long.MIN_VALUE / 2;
  private volatile boolean updateRequested = true;
  private CompletableFuture<ClusterSnapshot> inFlight; // guarded by this
  // When each topic was first reported missing; cleared once it is found.
  private final Map<String, Long> missingSinceNanos = new ConcurrentHashMap<>();

  public MetadataManager(
      ChannelPool channels, List<HostPort> bootstrap, int requestTimeoutMs, long maxAgeMs) {
    Checks.arg(!bootstrap.isEmpty(), "bootstrap list must not be empty");
    this.channels = channels;
    this.bootstrap = List.copyOf(bootstrap);
    this.requestTimeoutMs = requestTimeoutMs;
    this.maxAgeMs = maxAgeMs;
  }

  public ClusterSnapshot current() {
    return current;
  }

  /** Marks the cache stale; the next {@link #maybeUpdate} fetches. */
  public void requestUpdate() {
    updateRequested = true;
  }

  public boolean needsUpdate(long nowMs) {
    return updateRequested || nowMs - fetchedAtMs >= maxAgeMs;
  }

  /** Starts a refresh if one is due and none is running; returns the running one, if any. */
  public synchronized CompletableFuture<ClusterSnapshot> maybeUpdate(long nowMs) {
    if (inFlight == null && needsUpdate(nowMs)) {
      return update();
    }
    return inFlight;
  }

  /** Starts a refresh (or joins the running one). */
  public synchronized CompletableFuture<ClusterSnapshot> update() {
    if (inFlight != null) {
      return inFlight;
    }
    updateRequested = false;
    CompletableFuture<ClusterSnapshot> result = new CompletableFuture<>();
    inFlight = result;
    attempt(candidates(), 0, result, null);
    return result;
  }

  /** Refreshes and waits, up to {@code deadlineNanos}, for a fresh snapshot. */
  public ClusterSnapshot awaitUpdate(long deadlineNanos, String why) {
    CompletableFuture<ClusterSnapshot> f = update();
    long remaining = Math.max(0, deadlineNanos - System.nanoTime());
    try {
      return f.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new KeelTimeoutException("timed out fetching metadata (" + why + ")", e);
    } catch (ExecutionException e) {
      throw Errors.fromRpcFailure(e, "metadata (" + why + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted fetching metadata (" + why + ")", e);
    }
  }

  /**
   * Returns a snapshot in which {@code topic} exists, refreshing every {@code backoffMs} until
   * {@code deadlineNanos} (a just-created topic may not have reached every node yet). Throws {@link
   * UnknownTopicException} once answers from nodes that know a controller have said the topic does
   * not exist for {@code unknownTopicMs}, counted from the first such answer and kept across calls,
   * so a stream of sends to a missing topic fails fast after the first; {@link
   * KeelTimeoutException} at the deadline otherwise. {@code limit} names the deadline's setting.
   */
  public ClusterSnapshot awaitTopic(
      String topic, long deadlineNanos, long backoffMs, long unknownTopicMs, String limit) {
    ClusterSnapshot snapshot = current;
    boolean fetched = false;
    KeelException last = null;
    while (snapshot.partitionCount(topic) <= 0) {
      long nowNanos = System.nanoTime();
      if (fetched && snapshot.controllerId() > 0 && snapshot.topicMissing(topic)) {
        long sinceNanos = missingSinceNanos.computeIfAbsent(topic, t -> nowNanos);
        if (nowNanos - sinceNanos >= TimeUnit.MILLISECONDS.toNanos(unknownTopicMs)) {
          throw new UnknownTopicException(
              "topic '"
                  + topic
                  + "' does not exist (the cluster said so for "
                  + unknownTopicMs
                  + " ms)");
        }
      }
      if (nowNanos - deadlineNanos >= 0) {
        if (fetched && snapshot.topicMissing(topic)) {
          throw new UnknownTopicException(
              "topic '" + topic + "' does not exist (waited " + limit + ")");
        }
        String cause = last == null ? "no partitions" : last.getMessage();
        throw new KeelTimeoutException(
            "topic '" + topic + "' not in metadata within " + limit + ": " + cause, last);
      }
      if (fetched || last != null) {
        pause(Math.min(backoffMs, remainingMs(deadlineNanos)));
      }
      try {
        snapshot = awaitUpdate(deadlineNanos, "topic " + topic);
        fetched = true;
      } catch (RetriableException e) {
        last = e;
      }
    }
    missingSinceNanos.remove(topic);
    return snapshot;
  }

  private static long remainingMs(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted waiting for metadata", e);
    }
  }

  private List<HostPort> candidates() {
    Set<HostPort> all = new LinkedHashSet<>(current.nodes().values());
    all.addAll(bootstrap);
    List<HostPort> list = new ArrayList<>(all);
    int start = Math.floorMod(nextNode.getAndIncrement(), list.size());
    List<HostPort> rotated = new ArrayList<>(list.subList(start, list.size()));
    rotated.addAll(list.subList(0, start));
    return rotated;
  }

  private void attempt(
      List<HostPort> nodes, int i, CompletableFuture<ClusterSnapshot> result, Throwable last) {
    if (i == nodes.size()) {
      finish(result, null, Errors.fromRpcFailure(last, "metadata from " + nodes));
      return;
    }
    HostPort node = nodes.get(i);
    CompletableFuture<MetadataResponse> call;
    try {
      call =
          Futures.of(
              channels.stub(node, requestTimeoutMs).metadata(MetadataRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      finish(result, null, e);
      return;
    }
    call.whenComplete(
        (response, error) -> {
          if (error == null) {
            finish(result, ClusterSnapshot.from(response), null);
          } else {
            log.debug("metadata from {} failed: {}", node, error.toString());
            attempt(nodes, i + 1, result, error);
          }
        });
  }

  private void finish(
      CompletableFuture<ClusterSnapshot> result, ClusterSnapshot snapshot, Throwable error) {
    synchronized (this) {
      inFlight = null;
      if (snapshot != null) {
        current = snapshot;
        fetchedAtMs = System.currentTimeMillis();
      } else {
        updateRequested = true;
      }
    }
    if (snapshot != null) {
      result.complete(snapshot);
    } else {
      result.completeExceptionally(error);
    }
  }
}
