package io.keel.client.internal;

import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.RetriableException;
import io.keel.client.TopicPartition;
import io.keel.client.UnknownTopicException;
import io.keel.proto.LeaderHint;
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
 * older than metadata.max.age.ms. At most one refresh is in flight; concurrent callers share it. A
 * refresh asks every known node in parallel and merges their answers, and leader hints from
 * NOT_LEADER answers are applied at once; both are fenced by leader epoch (the partition's Raft
 * term), so an older view never replaces a newer one. Thread-safe.
 */
public final class MetadataManager {
  private static final Logger log = LoggerFactory.getLogger(MetadataManager.class);

  private final ChannelPool channels;
  private final List<HostPort> bootstrap;
  private final int requestTimeoutMs;
  private final long maxAgeMs;
  // Metadata is answered from memory: a node slower than this is treated as not answering.
  private static final long NODE_TIMEOUT_MS = 2_000;
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

  /**
   * Starts a refresh (or joins the running one). Every known node is asked at once, each with a
   * short deadline, so one node that stopped answering delays nothing: the refresh completes with
   * the first answer, and later answers are merged in as they arrive (newest leader epoch wins).
   */
  public synchronized CompletableFuture<ClusterSnapshot> update() {
    if (inFlight != null) {
      return inFlight;
    }
    updateRequested = false;
    CompletableFuture<ClusterSnapshot> result = new CompletableFuture<>();
    inFlight = result;
    List<HostPort> nodes = candidates();
    Round round = new Round(result, nodes.size());
    for (HostPort node : nodes) {
      ask(node, round);
    }
    return result;
  }

  /** One refresh: the answers merged so far and how many nodes have not answered yet. */
  private static final class Round {
    final CompletableFuture<ClusterSnapshot> result;
    int outstanding; // guarded by the manager
    ClusterSnapshot merged; // guarded by the manager; null until the first answer
    Throwable lastError; // guarded by the manager

    Round(CompletableFuture<ClusterSnapshot> result, int outstanding) {
      this.result = result;
      this.outstanding = outstanding;
    }
  }

  /**
   * Applies a NOT_LEADER answer of {@code nodeId} for {@code tp}. A hint naming another node is
   * taken at once unless it is older (by leader epoch) than what is known, or, without an epoch,
   * unless it contradicts a leader other than the answering node. When the node believed to lead
   * says it does not and names nobody, the partition's leader becomes unknown. Always asks for a
   * refresh. Returns true when {@code tp} now has a known leader other than {@code nodeId}.
   */
  public synchronized boolean onNotLeader(TopicPartition tp, int nodeId, LeaderHint hint) {
    requestUpdate();
    ClusterSnapshot snapshot = current;
    int knownLeader = snapshot.leaderId(tp);
    long knownEpoch = snapshot.leaderEpoch(tp);
    int hinted = hint.getLeaderId();
    if (hinted > 0 && hinted != nodeId) {
      boolean newer = hint.getLeaderEpoch() >= 0 && hint.getLeaderEpoch() >= knownEpoch;
      boolean correctsUs = knownLeader == nodeId || knownLeader == 0;
      if (newer || (hint.getLeaderEpoch() < 0 && correctsUs)) {
        HostPort address =
            hint.getHost().isEmpty() ? null : new HostPort(hint.getHost(), hint.getPort());
        long epoch = Math.max(hint.getLeaderEpoch(), knownEpoch);
        replace(snapshot.withLeader(tp, hinted, epoch, address));
        return current.leaderId(tp) == hinted;
      }
      return false;
    }
    if (hinted != nodeId && knownLeader == nodeId) {
      current = snapshot.withLeader(tp, 0, -1, null);
    }
    return false;
  }

  /**
   * Installs {@code next}; a node newly elected in it is up, so a channel to it that is waiting out
   * a reconnect backoff (it was down) reconnects now rather than seconds later.
   */
  private void replace(ClusterSnapshot next) {
    ClusterSnapshot before = current;
    current = next;
    next.newLeadersSince(before).forEach(channels::reconnectNow);
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

  private void ask(HostPort node, Round round) {
    CompletableFuture<MetadataResponse> call;
    try {
      call =
          Futures.of(
              channels.stub(node, nodeTimeoutMs()).metadata(MetadataRequest.getDefaultInstance()));
    } catch (RuntimeException e) {
      answered(round, null, e);
      return;
    }
    call.whenComplete(
        (response, error) -> {
          if (error != null) {
            log.debug("metadata from {} failed: {}", node, error.toString());
          }
          answered(round, response == null ? null : ClusterSnapshot.from(response), error);
        });
  }

  private long nodeTimeoutMs() {
    return Math.min(requestTimeoutMs, NODE_TIMEOUT_MS);
  }

  private void answered(Round round, ClusterSnapshot answer, Throwable error) {
    ClusterSnapshot snapshot;
    synchronized (this) {
      round.outstanding--;
      if (answer == null) {
        round.lastError = error;
        if (round.outstanding > 0 || round.merged != null) {
          return;
        }
        inFlight = inFlight == round.result ? null : inFlight;
        updateRequested = true;
      } else {
        round.merged = round.merged == null ? answer : round.merged.merge(answer);
        replace(round.merged.keepNewerLeaders(current));
        fetchedAtMs = System.currentTimeMillis();
        if (inFlight == round.result) {
          inFlight = null;
        }
      }
      snapshot = current;
    }
    if (answer == null) {
      round.result.completeExceptionally(
          Errors.fromRpcFailure(round.lastError, "metadata from every node"));
    } else {
      round.result.complete(snapshot);
    }
  }
}
