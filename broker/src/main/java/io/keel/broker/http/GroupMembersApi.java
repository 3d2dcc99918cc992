package io.keel.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.group.TopicPartition;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.CommittedOffset;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchRequest;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.OffsetSpec;
import io.keel.proto.PartitionResult;
import io.keel.proto.TopicPartitions;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group members for HTTP clients: create, poll (long-polling), commit, close. A member
 * lives on the node that created it, which heartbeats for it; one idle longer than its session
 * timeout is closed (it leaves the group, its partitions go to the others). Offsets are committed
 * only when the client says so, so a client that crashes between poll and commit has its records
 * delivered again to whoever takes the partitions over.
 */
final class GroupMembersApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupMembersApi.class);
  static final int MAX_MEMBERS = 10_000;
  static final long MIN_SESSION_TIMEOUT_MS = 1_000;
  static final long MAX_SESSION_TIMEOUT_MS = 300_000;
  private static final Duration COORDINATOR_TIMEOUT = Duration.ofSeconds(10);
  private static final long ASSIGNMENT_RECHECK_MS = 50;
  private static final Set<String> CREATE_FIELDS =
      Set.of("topics", "auto_offset_reset", "session_timeout_ms");
  private static final Set<String> POLL_PARAMS =
      Set.of("max_wait_ms", "max_bytes", "max_records", "format");

  private final NodeCalls calls;
  private final Leaders leaders;
  private final PartitionApi partitions;
  private final ScheduledExecutorService timer;
  private final InstantSource clock;
  private final Map<String, GroupMember> members = new ConcurrentHashMap<>();

  GroupMembersApi(
      NodeCalls calls,
      Leaders leaders,
      PartitionApi partitions,
      ScheduledExecutorService timer,
      InstantSource clock) {
    this.calls = calls;
    this.leaders = leaders;
    this.partitions = partitions;
    this.timer = timer;
    this.clock = clock;
    timer.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
  }

  int size() {
    return members.size();
  }

  // ------------------------------------------------------------------ create and close

  CompletableFuture<HttpReply> create(String group, byte[] body) {
    JsonInput in = JsonInput.parse(body).allowOnly(CREATE_FIELDS);
    List<String> topics = in.strings("topics");
    if (topics.isEmpty()) {
      throw HttpApiException.badField("topics", "name at least one topic to subscribe to");
    }
    topics.forEach(leaders::topic);
    String reset = in.string("auto_offset_reset", "latest");
    if (!reset.equals("earliest") && !reset.equals("latest")) {
      throw HttpApiException.badField(
          "auto_offset_reset", "expected \"earliest\" or \"latest\", got \"" + reset + "\"");
    }
    long sessionMs =
        in.integer("session_timeout_ms", MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS)
            .orElse(30_000L);
    if (members.size() >= MAX_MEMBERS) {
      throw new HttpApiException(
          HttpResponseStatus.TOO_MANY_REQUESTS,
          ErrorCode.INVALID_REQUEST,
          null,
          "this node already hosts " + MAX_MEMBERS + " HTTP group members");
    }
    GroupMember m =
        new GroupMember(group, topics, reset.equals("earliest"), sessionMs, clock.millis());
    return heartbeat(m)
        .thenApply(
            error -> {
              if (error.getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(error);
              }
              members.put(key(group, m.memberId()), m);
              timer.schedule(
                  () -> heartbeatLoop(m), m.heartbeatIntervalMs(), TimeUnit.MILLISECONDS);
              return HttpReply.json(
                  HttpResponseStatus.CREATED,
                  JsonInput.MAPPER
                      .createObjectNode()
                      .put("group", group)
                      .put("member_id", m.memberId())
                      .put("session_timeout_ms", sessionMs));
            });
  }

  CompletableFuture<HttpReply> close(String group, String memberId) {
    GroupMember m = member(group, memberId);
    return leave(m).thenApply(v -> HttpReply.noContent());
  }

  private CompletableFuture<Void> leave(GroupMember m) {
    if (!m.close()) {
      return CompletableFuture.completedFuture(null);
    }
    members.values().remove(m);
    LeaveGroupRequest request =
        LeaveGroupRequest.newBuilder()
            .setGroupId(m.groupId)
            .setMemberId(m.memberId())
            .setMemberEpoch(m.memberEpoch())
            .build();
    return atCoordinator(
            m.groupId, node -> calls.call(node, Rpcs.LEAVE_GROUP, request, COORDINATOR_TIMEOUT))
        .handle((r, e) -> null);
  }

  private void closeExpired() {
    long now = clock.millis();
    for (GroupMember m : members.values()) {
      if (m.expired(now)) {
        log.info(
            "HTTP member {} of group {} idle past its session timeout; closing",
            m.memberId(),
            m.groupId);
        leave(m);
      }
    }
  }

  // ------------------------------------------------------------------ heartbeats

  private void heartbeatLoop(GroupMember m) {
    if (m.isClosed()) {
      return;
    }
    heartbeat(m)
        .whenComplete(
            (error, e) -> {
              boolean fenced =
                  error != null
                      && (error.getCode() == ErrorCode.FENCED_MEMBER_EPOCH
                          || error.getCode() == ErrorCode.UNKNOWN_MEMBER_ID);
              long delay = fenced ? 0 : m.heartbeatIntervalMs();
              if (!m.isClosed()) {
                timer.schedule(() -> heartbeatLoop(m), delay, TimeUnit.MILLISECONDS);
              }
            });
  }

  /** One heartbeat; completes with its error (NONE when accepted). */
  private CompletableFuture<ErrorDetail> heartbeat(GroupMember m) {
    return atCoordinator(
            m.groupId, node -> calls.call(node, Rpcs.HEARTBEAT, m.heartbeat(), COORDINATOR_TIMEOUT))
        .thenApply(
            r -> {
              m.accept(r);
              return r.getError();
            });
  }

  private <R> CompletableFuture<R> atCoordinator(
      String group, IntFunction<CompletableFuture<R>> send) {
    return calls
        .call(
            calls.selfId(),
            Rpcs.FIND_COORDINATOR,
            FindCoordinatorRequest.newBuilder().setGroupId(group).build(),
            COORDINATOR_TIMEOUT)
        .thenCompose(
            r -> {
              if (r.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(r.getError());
              }
              return send.apply(r.getCoordinator().getId());
            });
  }

  // ------------------------------------------------------------------ poll

  CompletableFuture<HttpReply> poll(String group, String memberId, HttpQuery query) {
    query.allowOnly(POLL_PARAMS);
    int maxWaitMs = query.integer("max_wait_ms", 0, 0, PartitionApi.MAX_FETCH_WAIT_MS);
    int maxBytes = query.integer("max_bytes", 1 << 20, 1, 64 << 20);
    int maxRecords = query.integer("max_records", 500, 1, PartitionApi.MAX_FETCH_RECORDS);
    ValueFormat format = ValueFormat.parse(query.string("format").orElse("text"), "format");
    GroupMember m = member(group, memberId);
    if (!m.beginPoll(clock.millis())) {
      throw new HttpApiException(
          HttpResponseStatus.CONFLICT,
          ErrorCode.INVALID_REQUEST,
          null,
          "member " + memberId + " already has a poll waiting; poll one at a time");
    }
    long deadline = clock.millis() + maxWaitMs;
    CompletableFuture<HttpReply> reply =
        awaitAssignment(m, deadline)
            .thenCompose(v -> resolvePositions(m))
            .thenCompose(v -> fetchAssigned(m, deadline, maxBytes, maxRecords, format));
    return reply.whenComplete((r, e) -> m.endPoll(clock.millis()));
  }

  private CompletableFuture<Void> awaitAssignment(GroupMember m, long deadline) {
    CompletableFuture<Void> out = new CompletableFuture<>();
    checkAssignment(m, deadline, out);
    return out;
  }

  private void checkAssignment(GroupMember m, long deadline, CompletableFuture<Void> out) {
    if (!m.assignment().isEmpty() || clock.millis() >= deadline || m.isClosed()) {
      out.complete(null);
      return;
    }
    timer.schedule(
        () -> checkAssignment(m, deadline, out), ASSIGNMENT_RECHECK_MS, TimeUnit.MILLISECONDS);
  }

  /** Positions for assigned partitions that have none: the committed offset, else the reset. */
  private CompletableFuture<Void> resolvePositions(GroupMember m) {
    Map<TopicPartition, Long> known = m.positions();
    List<TopicPartition> missing =
        m.assignment().stream().filter(tp -> !known.containsKey(tp)).toList();
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Map<String, TopicPartitions.Builder> byTopic = new LinkedHashMap<>();
    for (TopicPartition tp : missing) {
      byTopic
          .computeIfAbsent(tp.topic(), t -> TopicPartitions.newBuilder().setTopic(t))
          .addPartitions(tp.partition());
    }
    FetchOffsetsRequest.Builder request = FetchOffsetsRequest.newBuilder().setGroupId(m.groupId);
    byTopic.values().forEach(request::addPartitions);
    return atCoordinator(
            m.groupId,
            node -> calls.call(node, Rpcs.FETCH_OFFSETS, request.build(), COORDINATOR_TIMEOUT))
        .thenCompose(
            r -> {
              if (r.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(r.getError());
              }
              List<CompletableFuture<Void>> resets = new ArrayList<>();
              for (CommittedOffset c : r.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(c.getTopic(), c.getPartition());
                if (c.getOffset() >= 0) {
                  m.position(tp, c.getOffset());
                } else {
                  resets.add(reset(m, tp));
                }
              }
              return CompletableFuture.allOf(resets.toArray(CompletableFuture[]::new));
            });
  }

  private CompletableFuture<Void> reset(GroupMember m, TopicPartition tp) {
    TopicInfo topic = leaders.topic(tp.topic());
    OffsetSpec.Kind kind = m.fromEarliest ? OffsetSpec.Kind.EARLIEST : OffsetSpec.Kind.LATEST;
    return partitions
        .listOffset(topic, tp.partition(), kind)
        .thenAccept(offset -> m.position(tp, offset));
  }

  /**
   * Fetches every positioned partition at once; answers when the first brings records (others'
   * records are not handed out, and their positions stay) or when every fetch has returned.
   */
  private CompletableFuture<HttpReply> fetchAssigned(
      GroupMember m, long deadline, int maxBytes, int maxRecords, ValueFormat format) {
    int waitMs = (int) Math.max(0, deadline - clock.millis());
    FetchRequest.Builder fencing =
        FetchRequest.newBuilder()
            .setGroupId(m.groupId)
            .setMemberId(m.memberId())
            .setMemberEpoch(m.memberEpoch());
    Map<TopicPartition, CompletableFuture<PartitionApi.Fetched>> fetches = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, Long> e : m.positions().entrySet()) {
      TopicPartition tp = e.getKey();
      CompletableFuture<PartitionApi.Fetched> f;
      try {
        f =
            partitions.fetchAt(
                leaders.topic(tp.topic()),
                tp.partition(),
                e.getValue(),
                waitMs,
                maxBytes,
                fencing.clone());
      } catch (HttpApiException gone) {
        continue; // topic deleted; the next assignment drops it
      }
      fetches.put(tp, f);
    }
    CompletableFuture<Void> first = new CompletableFuture<>();
    fetches
        .values()
        .forEach(
            f ->
                f.thenAccept(
                    r -> {
                      if (r.response().getRecordBatchesCount() > 0) {
                        first.complete(null);
                      }
                    }));
    CompletableFuture.allOf(fetches.values().toArray(CompletableFuture[]::new))
        .whenComplete((v, e) -> first.complete(null));
    return first.thenApply(v -> pollReply(m, fetches, maxRecords, format));
  }

  private HttpReply pollReply(
      GroupMember m,
      Map<TopicPartition, CompletableFuture<PartitionApi.Fetched>> fetches,
      int maxRecords,
      ValueFormat format) {
    ObjectNode root = JsonInput.MAPPER.createObjectNode();
    ArrayNode records = root.putArray("records");
    for (Map.Entry<TopicPartition, CompletableFuture<PartitionApi.Fetched>> e :
        fetches.entrySet()) {
      CompletableFuture<PartitionApi.Fetched> f = e.getValue();
      if (!f.isDone() || f.isCompletedExceptionally()) {
        if (f.isCompletedExceptionally()) {
          onFetchError(m, e.getKey(), f);
        }
        continue;
      }
      PartitionApi.Fetched fetched = f.join();
      int room = maxRecords - records.size();
      if (room <= 0) {
        break;
      }
      long next =
          PartitionApi.appendRecords(
              records, fetched.response(), fetched.offset(), room, format, e.getKey().topic());
      m.position(e.getKey(), next);
    }
    ArrayNode assignment = root.putArray("assignment");
    for (TopicPartition tp : m.assignment()) {
      assignment.addObject().put("topic", tp.topic()).put("partition", tp.partition());
    }
    return HttpReply.ok(root);
  }

  /** Out of range: start again from the reset policy; other errors: retried next poll. */
  private void onFetchError(
      GroupMember m, TopicPartition tp, CompletableFuture<PartitionApi.Fetched> f) {
    f.exceptionally(
        e -> {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (cause instanceof HttpApiException h
              && h.code().equals(ErrorCode.OFFSET_OUT_OF_RANGE.name())) {
            m.forget(tp);
            reset(m, tp);
          }
          return null;
        });
  }

  // ------------------------------------------------------------------ commit

  CompletableFuture<HttpReply> commit(String group, String memberId, byte[] body) {
    GroupMember m = member(group, memberId);
    m.touch(clock.millis());
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    if (body.length > 0) {
      for (JsonInput o : JsonInput.parse(body).allowOnly(Set.of("offsets")).objects("offsets")) {
        o.allowOnly(Set.of("topic", "partition", "offset"));
        offsets.put(
            new TopicPartition(
                o.requiredString("topic"), o.integer("partition", 0, 0, Integer.MAX_VALUE)),
            o.integer("offset", 0L, Long.MAX_VALUE)
                .orElseThrow(() -> HttpApiException.badField(o.at("offset"), "required")));
      }
    } else {
      offsets.putAll(m.positions());
    }
    CommitOffsetsRequest.Builder request =
        CommitOffsetsRequest.newBuilder()
            .setGroupId(group)
            .setMemberId(m.memberId())
            .setMemberEpoch(m.memberEpoch());
    offsets.forEach(
        (tp, offset) ->
            request.addOffsets(
                CommitOffset.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setOffset(offset)
                    .setLeaderEpoch(-1)));
    return atCoordinator(
            group, node -> calls.call(node, Rpcs.COMMIT, request.build(), COORDINATOR_TIMEOUT))
        .thenApply(r -> commitReply(r, offsets));
  }

  private static HttpReply commitReply(CommitOffsetsResponse r, Map<TopicPartition, Long> offsets) {
    if (r.getError().getCode() != ErrorCode.NONE) {
      throw HttpApiException.of(r.getError());
    }
    for (PartitionResult p : r.getPartitionsList()) {
      if (p.getError().getCode() != ErrorCode.NONE) {
        throw HttpApiException.of(p.getError());
      }
    }
    ObjectNode root = JsonInput.MAPPER.createObjectNode();
    ArrayNode committed = root.putArray("committed");
    offsets.forEach(
        (tp, o) ->
            committed
                .addObject()
                .put("topic", tp.topic())
                .put("partition", tp.partition())
                .put("offset", o));
    return HttpReply.ok(root);
  }

  // ------------------------------------------------------------------ lookup

  private GroupMember member(String group, String memberId) {
    GroupMember m = members.get(key(group, memberId));
    if (m == null) {
      throw HttpApiException.notFound(
          ErrorCode.UNKNOWN_MEMBER_ID,
          "group '"
              + group
              + "' has no HTTP member '"
              + memberId
              + "' on this node (members live on the node that created them, and expire after"
              + " their session timeout)");
    }
    return m;
  }

  private static String key(String group, String memberId) {
    return group + "\u0000" + memberId;
  }

  @Override
  public void close() {
    members.values().forEach(this::leave);
  }
}
