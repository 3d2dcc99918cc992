package io.keel.broker.group;

import io.keel.broker.group.GroupLogic.Accepted;
import io.keel.broker.group.GroupLogic.Heartbeat;
import io.keel.broker.group.GroupLogic.Outcome;
import io.keel.broker.group.GroupLogic.Rejected;
import io.keel.broker.group.GroupRecord.GroupTombstone;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import io.keel.broker.raft.RaftGroup;
import io.keel.proto.ErrorCode;
import io.keel.raft.NotLeaderException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the groups of one {@code __consumer_offsets} partition while its replica leads: runs every
 * operation on the partition's event loop, one at a time per group (an operation that writes waits
 * for its entry to commit before the group's next operation starts, so each one sees the result of
 * the previous), and expires members whose session timed out. Session timers live only on the
 * leader and restart when a replica starts serving.
 */
public final class PartitionCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionCoordinator.class);
  private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(null);

  /** Told about rebalances (the assignment epoch moved). */
  public interface Events {
    void onRebalance(String groupId);
  }

  private final RaftGroup group;
  private final CoordinatorStateMachine sm;
  private final GroupLogic logic;
  private final Supplier<Map<String, Integer>> partitionCounts;
  private final GroupSettings settings;
  private final InstantSource clock;
  private final Events events;
  private final Map<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
  // Loop only; empty unless serving: group -> member -> session deadline (ms).
  private final Map<String, Map<String, Long>> sessions = new HashMap<>();
  // Loop only; empty unless serving: group -> member asked to revoke -> deadline (ms) to report
  // the revoked partitions released (its rebalance timeout, counted from when it was asked).
  private final Map<String, Map<String, Long>> revocations = new HashMap<>();

  public PartitionCoordinator(
      RaftGroup group,
      CoordinatorStateMachine sm,
      GroupLogic logic,
      Supplier<Map<String, Integer>> partitionCounts,
      GroupSettings settings,
      InstantSource clock,
      Events events) {
    this.group = group;
    this.sm = sm;
    this.logic = logic;
    this.partitionCounts = partitionCounts;
    this.settings = settings;
    this.clock = clock;
    this.events = events;
    sm.addListener(this::onServing);
  }

  public int partition() {
    return sm.partition();
  }

  public RaftGroup group() {
    return group;
  }

  /** The replica's state machine (its share state is served by the share coordinator). */
  public CoordinatorStateMachine stateMachine() {
    return sm;
  }

  private void onServing(boolean serving) {
    sessions.clear();
    revocations.clear();
    if (serving) {
      long deadline = clock.millis() + settings.sessionTimeout().toMillis();
      for (String groupId : sm.state().groupIds()) {
        sm.state()
            .metadata(groupId)
            .ifPresent(
                g -> {
                  g.members().keySet().forEach(m -> touch(groupId, m, deadline));
                  trackRevocations(g);
                });
      }
      LOG.info(
          "__consumer_offsets-{}: now coordinating {} groups (term {})",
          sm.partition(),
          sm.state().groupIds().size(),
          group.term());
    }
  }

  private void touch(String groupId, String memberId, long deadlineMs) {
    sessions.computeIfAbsent(groupId, g -> new HashMap<>()).put(memberId, deadlineMs);
  }

  /**
   * Starts the rebalance timer of each member that must revoke partitions and has none running;
   * stops the timers of members with nothing left to revoke. A member that declared no rebalance
   * timeout gets the session timeout.
   */
  private void trackRevocations(GroupMetadata g) {
    long now = clock.millis();
    Map<String, Long> deadlines = revocations.computeIfAbsent(g.groupId(), k -> new HashMap<>());
    deadlines.keySet().retainAll(g.members().keySet());
    for (MemberState m : g.members().values()) {
      if (m.pendingRevocation().isEmpty()) {
        deadlines.remove(m.memberId());
      } else {
        long timeoutMs =
            m.rebalanceTimeoutMs() > 0
                ? m.rebalanceTimeoutMs()
                : settings.sessionTimeout().toMillis();
        deadlines.putIfAbsent(m.memberId(), now + timeoutMs);
      }
    }
    if (deadlines.isEmpty()) {
      revocations.remove(g.groupId());
    }
  }

  // ------------------------------------------------------------------ operations

  public CompletableFuture<Accepted> heartbeat(String groupId, Heartbeat hb) {
    return serialized(
        groupId,
        () -> {
          GroupMetadata current = metadataOrEmpty(groupId);
          Outcome o =
              logic.heartbeat(
                  current, hb, partitionCounts.get(), () -> UUID.randomUUID().toString());
          return switch (o) {
            case Rejected r -> CompletableFuture.failedFuture(rejected(r));
            case Accepted a -> {
              touch(groupId, a.memberId(), clock.millis() + settings.sessionTimeout().toMillis());
              yield write(current, a.next()).thenApply(v -> a);
            }
          };
        });
  }

  /** Removes a member that leaves; UNKNOWN_MEMBER_ID if it is not in the group. */
  public CompletableFuture<Void> leave(String groupId, String memberId) {
    return serialized(
        groupId,
        () -> {
          GroupMetadata current = metadataOrEmpty(groupId);
          if (!current.members().containsKey(memberId)) {
            return CompletableFuture.failedFuture(
                new CoordinatorException(
                    ErrorCode.UNKNOWN_MEMBER_ID,
                    "member '" + memberId + "' is not in group '" + groupId + "'"));
          }
          return removeMember(current, memberId);
        });
  }

  private CompletableFuture<Void> removeMember(GroupMetadata current, String memberId) {
    Map<String, Long> members = sessions.get(current.groupId());
    if (members != null) {
      members.remove(memberId);
    }
    return write(current, logic.remove(current, memberId, partitionCounts.get()));
  }

  /** Commits offsets for a member (or an admin, with "" and -1) once they are durable. */
  public CompletableFuture<Void> commit(
      String groupId, String memberId, int memberEpoch, List<OffsetCommit> offsets) {
    return serialized(
        groupId,
        () -> {
          GroupMetadata current = metadataOrEmpty(groupId);
          Rejected r =
              GroupLogic.checkCommit(
                  current,
                  memberId,
                  memberEpoch,
                  offsets.stream().map(OffsetCommit::topicPartition).collect(toSet()));
          if (r != null) {
            return CompletableFuture.failedFuture(rejected(r));
          }
          return propose(offsets);
        });
  }

  /** Fails with UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH unless the member is current. */
  public CompletableFuture<Void> checkMember(String groupId, String memberId, int memberEpoch) {
    return onLoop(
            () ->
                guarded(
                    () -> {
                      Rejected r =
                          GroupLogic.checkMember(metadataOrEmpty(groupId), memberId, memberEpoch);
                      return r == null
                          ? CompletableFuture.<Void>completedFuture(null)
                          : CompletableFuture.<Void>failedFuture(rejected(r));
                    }))
        .thenCompose(f -> f);
  }

  private static java.util.stream.Collector<TopicPartition, ?, java.util.Set<TopicPartition>>
      toSet() {
    return java.util.stream.Collectors.toSet();
  }

  /** The group's committed offsets, read on the leader after a linearizable read point. */
  public CompletableFuture<SortedMap<TopicPartition, OffsetCommit>> offsets(String groupId) {
    return serialized(
        groupId,
        () -> group.readIndex().thenApplyAsync(i -> sm.state().offsets(groupId), group.executor()));
  }

  /** The group's metadata (absent if it never had members) and offsets. */
  public record Snapshot(
      String groupId,
      boolean exists,
      GroupMetadata metadata,
      SortedMap<TopicPartition, OffsetCommit> offsets) {}

  public CompletableFuture<Snapshot> describe(String groupId) {
    return serialized(
        groupId,
        () ->
            CompletableFuture.completedFuture(
                new Snapshot(
                    groupId,
                    sm.state().exists(groupId),
                    metadataOrEmpty(groupId),
                    sm.state().offsets(groupId))));
  }

  /** Deletes an empty group and its offsets. */
  public CompletableFuture<Void> delete(String groupId) {
    return serialized(
        groupId,
        () -> {
          if (!sm.state().exists(groupId)) {
            return CompletableFuture.failedFuture(
                new CoordinatorException(
                    ErrorCode.GROUP_ID_NOT_FOUND, "group '" + groupId + "' does not exist"));
          }
          if (!metadataOrEmpty(groupId).members().isEmpty()) {
            return CompletableFuture.failedFuture(notEmpty(groupId));
          }
          sessions.remove(groupId);
          return propose(List.of(new GroupTombstone(groupId)));
        });
  }

  /** Overwrites offsets of an empty group; returns the previous offsets. */
  public CompletableFuture<SortedMap<TopicPartition, OffsetCommit>> reset(
      String groupId, List<OffsetCommit> offsets, boolean dryRun) {
    return serialized(
        groupId,
        () -> {
          if (!metadataOrEmpty(groupId).members().isEmpty()) {
            return CompletableFuture.failedFuture(notEmpty(groupId));
          }
          SortedMap<TopicPartition, OffsetCommit> previous = sm.state().offsets(groupId);
          if (dryRun || offsets.isEmpty()) {
            return CompletableFuture.completedFuture(previous);
          }
          return propose(offsets).thenApply(v -> previous);
        });
  }

  private static CoordinatorException notEmpty(String groupId) {
    return new CoordinatorException(
        ErrorCode.GROUP_NOT_EMPTY, "group '" + groupId + "' has active members");
  }

  /** Every group of this partition as this replica knows it (any role); loop hop. */
  public CompletableFuture<List<GroupMetadata>> listGroups() {
    return onLoop(
        () -> {
          List<GroupMetadata> out = new ArrayList<>();
          for (String id : sm.state().groupIds()) {
            out.add(metadataOrEmpty(id));
          }
          return out;
        });
  }

  /** Groups this replica currently serves (empty unless leader), with their offsets. */
  public CompletableFuture<List<Snapshot>> servedGroups() {
    return onLoop(
        () -> {
          List<Snapshot> out = new ArrayList<>();
          if (sm.serving()) {
            for (String id : sm.state().groupIds()) {
              out.add(new Snapshot(id, true, metadataOrEmpty(id), sm.state().offsets(id)));
            }
          }
          return out;
        });
  }

  /** Removes members whose session ran out. Called periodically from any thread. */
  public void expireSessions() {
    try {
      group.executor().execute(this::expireOnLoop);
    } catch (RejectedExecutionException e) {
      // The partition stopped; nothing to expire.
    }
  }

  private void expireOnLoop() {
    long now = clock.millis();
    expireDue(sessions, now, "session expired");
    expireDue(revocations, now, "did not revoke within its rebalance timeout");
  }

  private void expireDue(Map<String, Map<String, Long>> timers, long now, String reason) {
    timers.forEach(
        (groupId, members) ->
            members.forEach(
                (memberId, deadline) -> {
                  if (deadline <= now) {
                    expire(groupId, memberId, timers, reason);
                  }
                }));
  }

  private void expire(
      String groupId, String memberId, Map<String, Map<String, Long>> timers, String reason) {
    serialized(
            groupId,
            () -> {
              Map<String, Long> members = timers.get(groupId);
              Long deadline = members == null ? null : members.get(memberId);
              GroupMetadata current = metadataOrEmpty(groupId);
              if (deadline == null || deadline > clock.millis()) {
                return CompletableFuture.completedFuture((Void) null);
              }
              if (!current.members().containsKey(memberId)) {
                members.remove(memberId); // its join never committed
                return CompletableFuture.completedFuture((Void) null);
              }
              LOG.info("group {}: member {} {}; removing it", groupId, memberId, reason);
              return removeMember(current, memberId);
            })
        .exceptionally(
            e -> {
              LOG.debug("group {}: expiring member {} failed: {}", groupId, memberId, e.toString());
              return null;
            });
  }

  // ------------------------------------------------------------------ plumbing

  private GroupMetadata metadataOrEmpty(String groupId) {
    return sm.state().metadata(groupId).orElse(GroupMetadata.empty(groupId, UniformAssignor.NAME));
  }

  /** Persists {@code next} if it differs from {@code current}. */
  private CompletableFuture<Void> write(GroupMetadata current, GroupMetadata next) {
    if (next.equals(current)) {
      return CompletableFuture.completedFuture(null);
    }
    if (next.assignmentEpoch() != current.assignmentEpoch()) {
      events.onRebalance(next.groupId());
    }
    trackRevocations(next);
    return propose(List.of(next));
  }

  private CompletableFuture<Void> propose(List<? extends GroupRecord> records) {
    try {
      return group
          .propose(GroupRecordCodec.encode(records))
          .committed()
          .exceptionallyCompose(e -> CompletableFuture.failedFuture(notCoordinator(e)));
    } catch (NotLeaderException e) {
      return CompletableFuture.failedFuture(notCoordinator(e));
    }
  }

  private CoordinatorException notCoordinator(Throwable cause) {
    int leader = group.leaderId();
    return new CoordinatorException(
        ErrorCode.NOT_COORDINATOR,
        "__consumer_offsets-"
            + sm.partition()
            + " lost leadership ("
            + unwrap(cause).getMessage()
            + ")",
        leader);
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static CoordinatorException rejected(Rejected r) {
    return new CoordinatorException(r.code(), r.message());
  }

  /**
   * Runs {@code op} on the loop after every earlier operation on the same group has finished; fails
   * with NOT_COORDINATOR / COORDINATOR_LOADING unless this replica serves.
   */
  private <T> CompletableFuture<T> serialized(String groupId, Supplier<CompletableFuture<T>> op) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      group
          .executor()
          .execute(
              () -> {
                CompletableFuture<?> previous = tails.getOrDefault(groupId, DONE);
                CompletableFuture<T> next =
                    previous
                        .handle((v, e) -> null)
                        .thenComposeAsync(x -> guarded(op), group.executor());
                tails.put(groupId, next);
                next.whenComplete(
                    (v, e) -> {
                      tails.remove(groupId, next);
                      if (e != null) {
                        out.completeExceptionally(e);
                      } else {
                        out.complete(v);
                      }
                    });
              });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(stopped());
    }
    return out;
  }

  private <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> op) {
    if (!sm.serving()) {
      return CompletableFuture.failedFuture(notServing());
    }
    try {
      return op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CoordinatorException notServing() {
    if (group.isLeader()) {
      return new CoordinatorException(
          ErrorCode.COORDINATOR_LOADING,
          "__consumer_offsets-" + sm.partition() + " is catching up after becoming leader");
    }
    return new CoordinatorException(
        ErrorCode.NOT_COORDINATOR,
        "this node does not lead __consumer_offsets-" + sm.partition(),
        group.leaderId());
  }

  private CoordinatorException stopped() {
    return new CoordinatorException(
        ErrorCode.NOT_COORDINATOR,
        "__consumer_offsets-" + sm.partition() + " is not running on this node");
  }

  private <T> CompletableFuture<T> onLoop(Supplier<T> call) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      group
          .executor()
          .execute(
              () -> {
                try {
                  out.complete(call.get());
                } catch (RuntimeException e) {
                  out.completeExceptionally(e);
                }
              });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(stopped());
    }
    return out;
  }
}
