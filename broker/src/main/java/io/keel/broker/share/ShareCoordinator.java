package io.keel.broker.share;

import io.keel.broker.group.CoordinatorException;
import io.keel.broker.group.CoordinatorStateMachine;
import io.keel.broker.group.TopicPartition;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.share.ShareRecord.Acknowledged;
import io.keel.broker.share.ShareRecord.Acquired;
import io.keel.broker.share.ShareRecord.DeadLettered;
import io.keel.broker.share.ShareRecord.Delay;
import io.keel.broker.share.ShareRecord.LocksExpired;
import io.keel.broker.share.ShareRecord.MemberJoined;
import io.keel.broker.share.ShareRecord.MemberLeft;
import io.keel.broker.share.ShareRecord.WindowFilled;
import io.keel.proto.ErrorCode;
import io.keel.proto.ShareErrorCode;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.Header;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatchBuilder;
import io.keel.raft.NotLeaderException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the share groups of one {@code __consumer_offsets} partition while its replica leads.
 * Every operation runs on the partition's event loop, one at a time (a write waits for its entry to
 * commit before the next operation starts), so each sees the result of the previous one and every
 * answer describes committed state. Sessions, the record cache and dead letters in progress live
 * only on the serving leader and restart when a replica starts serving; lock deadlines are in the
 * replicated state and keep running across a failover.
 */
final class ShareCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(ShareCoordinator.class);
  private static final int READ_BYTES = 1 << 20;

  /** A member's acquired records with their payloads. */
  record Delivery(TopicPartition partition, Record record, int deliveryCount, long deadlineMs) {}

  /** The answer to one acknowledgement. */
  record AckResult(TopicPartition partition, long offset, AckError error, long deadlineMs) {}

  /** One acknowledgement of a request. */
  record Ack(TopicPartition partition, long offset, AckType type) {}

  private final RaftGroup group;
  private final CoordinatorStateMachine sm;
  private final ClusterLog log;
  private final ShareSettings settings;
  private final InstantSource clock;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
  // Loop only, empty unless serving.
  private final Map<String, Map<String, Long>> sessions = new HashMap<>();
  private final Map<String, TreeMap<Long, Record>> cache = new HashMap<>();
  private final Set<String> deadLettering = new HashSet<>();
  private int rotation;

  ShareCoordinator(
      RaftGroup group,
      CoordinatorStateMachine sm,
      ClusterLog log,
      ShareSettings settings,
      InstantSource clock) {
    this.group = group;
    this.sm = sm;
    this.log = log;
    this.settings = settings;
    this.clock = clock;
    group
        .executor()
        .execute(
            () -> {
              sm.addListener(this::onServing);
              onServing(sm.serving());
            });
  }

  RaftGroup group() {
    return group;
  }

  ShareState state() {
    return sm.shares();
  }

  private void onServing(boolean serving) {
    sessions.clear();
    cache.clear();
    deadLettering.clear();
    if (serving) {
      long deadline = clock.millis() + settings.sessionTimeout().toMillis();
      for (String id : sm.shares().groupIds()) {
        sm.shares()
            .group(id, false)
            .ifPresent(g -> g.members().keySet().forEach(m -> touch(id, m, deadline)));
      }
    }
  }

  private void touch(String groupId, String memberId, long deadline) {
    sessions.computeIfAbsent(groupId, g -> new HashMap<>()).put(memberId, deadline);
  }

  // ------------------------------------------------------------------ members

  /** Joins (epoch 0) or keeps a member's session; returns its member id. */
  CompletableFuture<String> heartbeat(
      String groupId, String memberId, int epoch, String clientId, List<String> topics) {
    return serialized(
        () -> {
          ShareState.Group g = sm.shares().group(groupId, false).orElse(null);
          boolean known = g != null && g.members().containsKey(memberId);
          if (epoch == -1) {
            if (!known) {
              throw unknownMember(groupId, memberId);
            }
            sessions.getOrDefault(groupId, new HashMap<>()).remove(memberId);
            return propose(List.of(new MemberLeft(groupId, memberId))).thenApply(v -> memberId);
          }
          if (epoch == 0) {
            String id = memberId.isEmpty() ? UUID.randomUUID().toString() : memberId;
            touch(groupId, id, deadline());
            return propose(List.of(new MemberJoined(groupId, id, clientId, topics)))
                .thenApply(v -> id);
          }
          if (!known) {
            throw unknownMember(groupId, memberId);
          }
          touch(groupId, memberId, deadline());
          MemberJoined current = g.members().get(memberId);
          if (!current.topics().equals(List.copyOf(topics)) && !topics.isEmpty()) {
            return propose(List.of(new MemberJoined(groupId, memberId, clientId, topics)))
                .thenApply(v -> memberId);
          }
          return CompletableFuture.completedFuture(memberId);
        });
  }

  private long deadline() {
    return clock.millis() + settings.sessionTimeout().toMillis();
  }

  private static ShareException unknownMember(String groupId, String memberId) {
    return new ShareException(
        ShareErrorCode.SHARE_UNKNOWN_MEMBER,
        "member '" + memberId + "' is not in share group '" + groupId + "'; join with epoch 0");
  }

  // ------------------------------------------------------------------ fetch

  /** Acquires up to {@code max} records for the member; empty if none are available now. */
  CompletableFuture<List<Delivery>> fetch(String groupId, String memberId, int max) {
    return serialized(
        () -> {
          ShareState.Group g =
              sm.shares()
                  .group(groupId, false)
                  .filter(x -> x.members().containsKey(memberId))
                  .orElseThrow(() -> unknownMember(groupId, memberId));
          touch(groupId, memberId, deadline());
          int held = g.heldBy(memberId);
          int room = Math.min(max, settings.memberMaxAcquired() - held);
          if (room <= 0) {
            throw new ShareException(
                ShareErrorCode.SHARE_LIMIT_EXCEEDED,
                String.format(
                    "member '%s' holds %d records; the limit per member is %d: acknowledge some"
                        + " first",
                    memberId, held, settings.memberMaxAcquired()));
          }
          List<TopicPartition> partitions = partitions(g.members().get(memberId).topics());
          return fill(groupId, partitions)
              .thenComposeAsync(
                  v -> acquire(groupId, memberId, partitions, room), group.executor());
        });
  }

  private List<TopicPartition> partitions(List<String> topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (String t : topics) {
      log.topic(t)
          .ifPresent(
              info -> {
                for (int p = 0; p < info.partitions(); p++) {
                  out.add(new TopicPartition(t, p));
                }
              });
    }
    return out;
  }

  /** Reads new records into the windows that have room, and commits the fills. */
  private CompletableFuture<Void> fill(String groupId, List<TopicPartition> partitions) {
    List<CompletableFuture<WindowFilled>> reads = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      SharePartitionState p =
          sm.shares().partition(groupId, tp.topic(), tp.partition()).orElse(null);
      int room = settings.partitionMaxInFlight() - (p == null ? 0 : p.inFlight());
      if (room <= 0) {
        continue;
      }
      long from = p == null ? -1 : p.endOffset();
      reads.add(readForFill(groupId, tp, from, room));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenComposeAsync(
            v -> {
              List<ShareRecord> fills = new ArrayList<>();
              for (CompletableFuture<WindowFilled> r : reads) {
                WindowFilled f = r.join();
                if (f != null) {
                  fills.add(f);
                }
              }
              return fills.isEmpty() ? CompletableFuture.completedFuture(null) : propose(fills);
            },
            group.executor());
  }

  /** A new window starts at the partition's log start: a share group sees the whole topic. */
  private CompletableFuture<WindowFilled> readForFill(
      String groupId, TopicPartition tp, long from, int room) {
    long start = from < 0 ? 0 : from;
    return log.read(tp.topic(), tp.partition(), start, READ_BYTES)
        .handleAsync(
            (read, e) -> {
              if (e != null) {
                LOG.debug("share {}: reading {} failed: {}", groupId, tp, e.toString());
                return null;
              }
              long first = Math.max(start, read.logStartOffset());
              if (from >= 0 && first > start) {
                // Retention removed records the group never finished: not supported yet.
                LOG.warn(
                    "share {}: {} log starts at {}, past the window end {}; the window stalls",
                    groupId,
                    tp,
                    first,
                    start);
                return null;
              }
              List<Delay> delays = new ArrayList<>();
              long to = first;
              TreeMap<Long, Record> c =
                  cache.computeIfAbsent(key(groupId, tp), k -> new TreeMap<>());
              long now = clock.millis();
              for (Record r : read.records()) {
                if (r.offset() < first) {
                  continue;
                }
                if (r.offset() != to || to - first >= room) {
                  break;
                }
                OptionalLong at = ShareHeaders.deliverAt(r);
                if (at.isPresent() && at.getAsLong() > now) {
                  delays.add(new Delay(r.offset(), at.getAsLong()));
                }
                c.put(r.offset(), r);
                to = r.offset() + 1;
              }
              if (to == first && first == start) {
                return null;
              }
              return new WindowFilled(
                  groupId, tp.topic(), tp.partition(), from < 0 ? first : start, to, delays, now);
            },
            group.executor());
  }

  private CompletableFuture<List<Delivery>> acquire(
      String groupId, String memberId, List<TopicPartition> partitions, int room) {
    long now = clock.millis();
    long deadline = now + settings.lockDuration().toMillis();
    List<ShareRecord> acquisitions = new ArrayList<>();
    int left = room;
    int n = partitions.size();
    int startAt = n == 0 ? 0 : Math.floorMod(rotation++, n);
    for (int i = 0; i < n && left > 0; i++) {
      TopicPartition tp = partitions.get((startAt + i) % n);
      SharePartitionState p =
          sm.shares().partition(groupId, tp.topic(), tp.partition()).orElse(null);
      if (p == null) {
        continue;
      }
      List<Long> offsets = p.acquirable(now, left);
      if (!offsets.isEmpty()) {
        acquisitions.add(
            new Acquired(
                groupId,
                tp.topic(),
                tp.partition(),
                memberId,
                offsets,
                now,
                deadline,
                settings.deliveryLimit()));
        left -= offsets.size();
      }
    }
    if (acquisitions.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return propose(acquisitions)
        .thenComposeAsync(v -> deliveries(groupId, memberId, acquisitions), group.executor());
  }

  /** The acquired records with their payloads, re-read from the log when not cached. */
  private CompletableFuture<List<Delivery>> deliveries(
      String groupId, String memberId, List<ShareRecord> acquisitions) {
    List<CompletableFuture<List<Delivery>>> parts = new ArrayList<>();
    for (ShareRecord r : acquisitions) {
      Acquired a = (Acquired) r;
      TopicPartition tp = new TopicPartition(a.topic(), a.partition());
      parts.add(
          payloads(groupId, tp, a.offsets())
              .thenApplyAsync(
                  records -> {
                    List<Delivery> out = new ArrayList<>();
                    SharePartitionState p =
                        sm.shares().partition(groupId, tp.topic(), tp.partition()).orElseThrow();
                    for (long o : a.offsets()) {
                      InFlightRecord f = p.record(o);
                      Record payload = records.get(o);
                      if (f != null
                          && payload != null
                          && f.state() == RecordState.ACQUIRED
                          && f.memberId().equals(memberId)) {
                        out.add(new Delivery(tp, payload, f.deliveryCount(), f.lockDeadlineMs()));
                      }
                    }
                    return out;
                  },
                  group.executor()));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<Delivery> out = new ArrayList<>();
              parts.forEach(p -> out.addAll(p.join()));
              return out;
            });
  }

  private CompletableFuture<Map<Long, Record>> payloads(
      String groupId, TopicPartition tp, List<Long> offsets) {
    TreeMap<Long, Record> c = cache.computeIfAbsent(key(groupId, tp), k -> new TreeMap<>());
    Map<Long, Record> found = new HashMap<>();
    long firstMissing = Long.MAX_VALUE;
    for (long o : offsets) {
      Record r = c.get(o);
      if (r != null) {
        found.put(o, r);
      } else {
        firstMissing = Math.min(firstMissing, o);
      }
    }
    if (firstMissing == Long.MAX_VALUE) {
      return CompletableFuture.completedFuture(found);
    }
    return log.read(tp.topic(), tp.partition(), firstMissing, READ_BYTES)
        .thenApplyAsync(
            read -> {
              for (Record r : read.records()) {
                c.put(r.offset(), r);
              }
              for (long o : offsets) {
                Record r = c.get(o);
                if (r != null) {
                  found.put(o, r);
                }
              }
              return found;
            },
            group.executor());
  }

  private static String key(String groupId, TopicPartition tp) {
    return groupId + '\u0000' + tp;
  }

  // ------------------------------------------------------------------ acknowledge

  CompletableFuture<List<AckResult>> acknowledge(String groupId, String memberId, List<Ack> acks) {
    return serialized(
        () -> {
          if (sm.shares()
              .group(groupId, false)
              .filter(g -> g.members().containsKey(memberId))
              .isEmpty()) {
            throw unknownMember(groupId, memberId);
          }
          touch(groupId, memberId, deadline());
          long now = clock.millis();
          long renewed = now + settings.lockDuration().toMillis();
          List<AckResult> results = new ArrayList<>();
          List<ShareRecord> writes = new ArrayList<>();
          Set<String> seen = new HashSet<>();
          for (Ack a : acks) {
            AckError error =
                sm.shares()
                    .partition(groupId, a.partition().topic(), a.partition().partition())
                    .map(p -> p.check(memberId, a.offset(), now))
                    .orElse(AckError.UNKNOWN_OFFSET);
            if (error == AckError.NONE && !seen.add(a.partition() + "@" + a.offset())) {
              error = AckError.NOT_HELD; // acknowledged earlier in this request
            }
            results.add(
                new AckResult(
                    a.partition(), a.offset(), error, a.type() == AckType.RENEW ? renewed : 0));
            if (error == AckError.NONE) {
              writes.add(
                  new Acknowledged(
                      groupId,
                      a.partition().topic(),
                      a.partition().partition(),
                      memberId,
                      a.offset(),
                      a.type(),
                      now,
                      renewed));
            }
          }
          if (writes.isEmpty()) {
            return CompletableFuture.completedFuture(results);
          }
          return propose(writes).thenApply(v -> results);
        });
  }

  // ------------------------------------------------------------------ describe

  /** One partition's share state as of a moment, for describe and metrics. */
  record PartitionView(
      String groupId,
      TopicPartition partition,
      long startOffset,
      long endOffset,
      int available,
      int acquired,
      int delayed,
      int archiving,
      int maxDeliveryCount,
      long oldestUnackedSinceMs,
      SharePartitionState.Counters counters) {}

  /** A group's members (id to client id, topics and held count) and partitions. */
  record GroupView(
      String groupId,
      List<MemberJoined> members,
      Map<String, Integer> held,
      List<PartitionView> partitions) {}

  CompletableFuture<GroupView> describe(String groupId) {
    return serialized(() -> CompletableFuture.completedFuture(view(groupId)));
  }

  /** Every served group's view; empty unless serving. Loop hop, not serialized. */
  CompletableFuture<List<GroupView>> views() {
    CompletableFuture<List<GroupView>> out = new CompletableFuture<>();
    try {
      group
          .executor()
          .execute(
              () -> {
                List<GroupView> views = new ArrayList<>();
                if (sm.serving()) {
                  sm.shares().groupIds().forEach(id -> views.add(view(id)));
                }
                out.complete(views);
              });
    } catch (RejectedExecutionException e) {
      out.complete(List.of());
    }
    return out;
  }

  private GroupView view(String groupId) {
    ShareState.Group g = sm.shares().group(groupId, false).orElse(null);
    if (g == null) {
      return new GroupView(groupId, List.of(), Map.of(), List.of());
    }
    Map<String, Integer> held = new HashMap<>();
    g.members().keySet().forEach(m -> held.put(m, g.heldBy(m)));
    List<PartitionView> parts = new ArrayList<>();
    g.partitions()
        .forEach(
            (tp, p) ->
                parts.add(
                    new PartitionView(
                        groupId,
                        tp,
                        p.startOffset(),
                        p.endOffset(),
                        p.availableCount(),
                        p.acquiredCount(),
                        p.delayedCount(),
                        p.archivingOffsets().size(),
                        p.maxDeliveryCount(),
                        p.oldestUnackedSinceMs(),
                        p.counters())));
    return new GroupView(groupId, List.copyOf(g.members().values()), held, parts);
  }

  // ------------------------------------------------------------------ timers

  /** Expires locks and sessions and moves dead letters on; call periodically from any thread. */
  void tick() {
    try {
      group.executor().execute(this::tickOnLoop);
    } catch (RejectedExecutionException e) {
      // The replica stopped.
    }
  }

  private void tickOnLoop() {
    if (!sm.serving()) {
      return;
    }
    long now = clock.millis();
    List<ShareRecord> writes = new ArrayList<>();
    for (String id : sm.shares().groupIds()) {
      ShareState.Group g = sm.shares().group(id, false).orElseThrow();
      g.partitions()
          .forEach(
              (tp, p) -> {
                if (p.nextLockDeadline() < now) {
                  writes.add(new LocksExpired(id, tp.topic(), tp.partition(), now - 1));
                }
              });
      Map<String, Long> members = sessions.getOrDefault(id, Map.of());
      for (String m : g.members().keySet()) {
        Long d = members.get(m);
        if (d != null && d <= now) {
          LOG.info("share group {}: member {} session expired; releasing its records", id, m);
          writes.add(new MemberLeft(id, m));
          members.remove(m);
        }
      }
    }
    if (!writes.isEmpty()) {
      serialized(() -> propose(writes)).exceptionally(e -> null);
    }
    deadLetters();
  }

  private void deadLetters() {
    for (String id : sm.shares().groupIds()) {
      sm.shares()
          .group(id, false)
          .orElseThrow()
          .partitions()
          .forEach(
              (tp, p) -> {
                for (long offset : p.archivingOffsets()) {
                  String k = key(id, tp) + "@" + offset;
                  if (deadLettering.add(k)) {
                    deadLetter(id, tp, p.record(offset))
                        .whenCompleteAsync((v, e) -> deadLettering.remove(k), group.executor());
                  }
                }
              });
    }
  }

  /** Produces the record to the dead-letter topic, then (once acknowledged) archives it. */
  private CompletableFuture<Void> deadLetter(String groupId, TopicPartition tp, InFlightRecord r) {
    String dlq = tp.topic() + settings.deadLetterSuffix();
    return payloads(groupId, tp, List.of(r.offset()))
        .thenCompose(
            found -> {
              Record payload = found.get(r.offset());
              if (payload == null) {
                throw new IllegalStateException(tp + "@" + r.offset() + " is no longer readable");
              }
              List<Header> headers = new ArrayList<>(payload.headers());
              headers.add(ShareHeaders.header(ShareHeaders.DLQ_REASON, r.reason()));
              headers.add(ShareHeaders.header(ShareHeaders.DLQ_GROUP, groupId));
              headers.add(ShareHeaders.header(ShareHeaders.DLQ_TOPIC, tp.topic()));
              headers.add(
                  ShareHeaders.header(
                      ShareHeaders.DLQ_PARTITION, Integer.toString(tp.partition())));
              headers.add(ShareHeaders.header(ShareHeaders.DLQ_OFFSET, Long.toString(r.offset())));
              headers.add(
                  ShareHeaders.header(
                      ShareHeaders.DLQ_DELIVERY_COUNT, Integer.toString(r.deliveryCount())));
              byte[] batch =
                  new RecordBatchBuilder(CompressionType.NONE)
                      .append(payload.timestamp(), payload.key(), payload.value(), headers)
                      .build();
              return log.ensureTopic(dlq, 3).thenCompose(v -> log.produce(dlq, 0, batch));
            })
        .thenCompose(
            dlqOffset ->
                serialized(
                    () ->
                        propose(
                            List.of(
                                new DeadLettered(
                                    groupId, tp.topic(), tp.partition(), r.offset())))))
        .exceptionally(
            e -> {
              LOG.debug(
                  "share {}: dead-lettering {}@{} failed: {}",
                  groupId,
                  tp,
                  r.offset(),
                  e.toString());
              return null;
            });
  }

  // ------------------------------------------------------------------ plumbing

  private CompletableFuture<Void> propose(List<? extends ShareRecord> records) {
    try {
      return group
          .propose(ShareRecordCodec.encode(records))
          .committed()
          .thenApply(i -> (Void) null)
          .exceptionallyCompose(e -> CompletableFuture.failedFuture(notCoordinator(e)));
    } catch (NotLeaderException e) {
      return CompletableFuture.failedFuture(notCoordinator(e));
    }
  }

  private CoordinatorException notCoordinator(Throwable cause) {
    Throwable t = cause;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return new CoordinatorException(
        ErrorCode.NOT_COORDINATOR,
        "__consumer_offsets-" + sm.partition() + " lost leadership (" + t.getMessage() + ")",
        group.leaderId());
  }

  /** Runs {@code op} on the loop after every earlier operation has finished, while serving. */
  private <T> CompletableFuture<T> serialized(Supplier<CompletableFuture<T>> op) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      group
          .executor()
          .execute(
              () -> {
                CompletableFuture<T> next =
                    tail.handle((v, e) -> null)
                        .thenComposeAsync(x -> guarded(op), group.executor());
                tail = next;
                next.whenComplete(
                    (v, e) -> {
                      if (e != null) {
                        out.completeExceptionally(e);
                      } else {
                        out.complete(v);
                      }
                    });
              });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(
          new CoordinatorException(
              ErrorCode.NOT_COORDINATOR,
              "__consumer_offsets-" + sm.partition() + " is not running on this node"));
    }
    return out;
  }

  private <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> op) {
    if (!sm.serving()) {
      return CompletableFuture.failedFuture(
          group.isLeader()
              ? new CoordinatorException(
                  ErrorCode.COORDINATOR_LOADING,
                  "__consumer_offsets-" + sm.partition() + " is catching up after becoming leader")
              : new CoordinatorException(
                  ErrorCode.NOT_COORDINATOR,
                  "this node does not lead __consumer_offsets-" + sm.partition(),
                  group.leaderId()));
    }
    try {
      return op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
