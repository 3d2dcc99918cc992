package io.keel.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keel.broker.share.ShareSettings;
import io.keel.proto.AcknowledgeType;
import io.keel.proto.AcquiredRecord;
import io.keel.proto.DescribeShareGroupRequest;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.ShareAcknowledgeRequest;
import io.keel.proto.ShareAcknowledgeResponse;
import io.keel.proto.ShareAcknowledgeResult;
import io.keel.proto.ShareAcknowledgement;
import io.keel.proto.ShareError;
import io.keel.proto.ShareErrorCode;
import io.keel.proto.ShareFetchRequest;
import io.keel.proto.ShareFetchResponse;
import io.keel.proto.ShareGroupHeartbeatRequest;
import io.keel.proto.ShareGroupHeartbeatResponse;
import io.keel.proto.ShareMemberDescription;
import io.keel.proto.SharePartitionDescription;
import io.keel.proto.ShareRecordHeader;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Share groups (task queues, docs/queues.md) for HTTP clients: poll, acknowledge, describe, leave.
 * Nothing is kept on this node: a share member lives in its group's coordinator and the client
 * carries its member id, so any node serves any request. A poll (re)joins the member when the
 * coordinator does not know it, then acquires records under locks; polls and acknowledgements keep
 * its session. Each call goes to the coordinator that FindCoordinator names, and once more to the
 * node a NOT_COORDINATOR answer names.
 */
final class ShareApi {
  static final int MAX_MEMBER_ID_CHARS = 128;
  static final int DEFAULT_MAX_RECORDS = 10;
  private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9._:-]+");
  private static final Duration COORDINATOR_TIMEOUT = Duration.ofSeconds(10);
  private static final String CLIENT_ID = "http";
  private static final Set<String> POLL_FIELDS =
      Set.of("member_id", "topics", "max_records", "max_wait_ms", "format");
  private static final Set<String> ACK_FIELDS = Set.of("member_id", "acks");
  private static final Set<String> ACK_ITEM_FIELDS = Set.of("topic", "partition", "offset", "type");

  /** The member a poll runs as; {@code joined} when this poll made it a member. */
  private record Member(String id, boolean joined, long lockDurationMs) {}

  private final NodeCalls calls;
  private final Leaders leaders;
  private final ShareSettings settings;

  ShareApi(NodeCalls calls, Leaders leaders, ShareSettings settings) {
    this.calls = calls;
    this.leaders = leaders;
    this.settings = settings;
  }

  // ------------------------------------------------------------------ poll

  CompletableFuture<HttpReply> poll(String group, byte[] body) {
    JsonInput in = JsonInput.parse(body).allowOnly(POLL_FIELDS);
    Optional<String> memberId = in.string("member_id").map(id -> checkMemberId(id, "member_id"));
    List<String> topics = in.strings("topics");
    if (topics.isEmpty()) {
      throw HttpApiException.badField("topics", "name at least one topic to take records from");
    }
    topics.forEach(leaders::topic);
    // 0 joins or keeps the session and acquires nothing: a worker announcing itself.
    int maxRecords = in.integer("max_records", DEFAULT_MAX_RECORDS, 0, settings.fetchMaxRecords());
    int maxWaitMs = in.integer("max_wait_ms", 0, 0, PartitionApi.MAX_FETCH_WAIT_MS);
    ValueFormat format = ValueFormat.parse(in.string("format", "text"), "format");
    return join(group, memberId, topics)
        .thenCompose(
            m -> {
              if (maxRecords == 0) {
                return CompletableFuture.completedFuture(
                    pollReply(m, ShareFetchResponse.getDefaultInstance(), format));
              }
              ShareFetchRequest request =
                  ShareFetchRequest.newBuilder()
                      .setGroupId(group)
                      .setMemberId(m.id())
                      .setMaxRecords(maxRecords)
                      .setMaxWaitMs(maxWaitMs)
                      .build();
              Duration timeout = Duration.ofMillis(maxWaitMs).plus(PartitionApi.FORWARD_SLACK);
              return atCoordinator(
                      group, Rpcs.SHARE_FETCH, request, timeout, ShareFetchResponse::getError)
                  .thenApply(r -> pollReply(m, check(r.getError(), r.getShareError(), r), format));
            });
  }

  /** Joins when no member id is given or the coordinator does not know it; else keeps it. */
  private CompletableFuture<Member> join(
      String group, Optional<String> memberId, List<String> topics) {
    if (memberId.isEmpty()) {
      return heartbeat(group, "", 0, topics).thenApply(r -> member(r, true));
    }
    return heartbeat(group, memberId.get(), 1, topics)
        .thenCompose(
            r ->
                r.getShareError().getCode() == ShareErrorCode.SHARE_UNKNOWN_MEMBER
                    // Left, expired or never joined: it joins again under the id it chose.
                    ? heartbeat(group, memberId.get(), 0, topics)
                        .thenApply(again -> member(again, true))
                    : CompletableFuture.completedFuture(member(r, false)));
  }

  private Member member(ShareGroupHeartbeatResponse r, boolean joined) {
    check(r.getError(), r.getShareError(), r);
    return new Member(r.getMemberId(), joined, r.getRecordLockDurationMs());
  }

  private CompletableFuture<ShareGroupHeartbeatResponse> heartbeat(
      String group, String memberId, int epoch, List<String> topics) {
    ShareGroupHeartbeatRequest request =
        ShareGroupHeartbeatRequest.newBuilder()
            .setGroupId(group)
            .setMemberId(memberId)
            .setMemberEpoch(epoch)
            .addAllSubscribedTopics(topics)
            .setClientId(CLIENT_ID)
            .build();
    return atCoordinator(
        group,
        Rpcs.SHARE_HEARTBEAT,
        request,
        COORDINATOR_TIMEOUT,
        ShareGroupHeartbeatResponse::getError);
  }

  private static HttpReply pollReply(Member m, ShareFetchResponse r, ValueFormat format) {
    ObjectNode root =
        JsonInput.MAPPER
            .createObjectNode()
            .put("member_id", m.id())
            .put("joined", m.joined())
            .put("lock_duration_ms", m.lockDurationMs());
    ArrayNode records = root.putArray("records");
    r.getRecordsList().forEach(rec -> appendRecord(records.addObject(), rec, format));
    return HttpReply.ok(root);
  }

  /**
   * One acquired record. A key or value not readable in {@code format} comes as base64 with {@code
   * "format": "base64"}: the record is already acquired, so failing the poll would only hide it
   * until its lock expires.
   */
  private static void appendRecord(ObjectNode out, AcquiredRecord r, ValueFormat format) {
    out.put("topic", r.getTopic())
        .put("partition", r.getPartition())
        .put("offset", r.getOffset())
        .put("timestamp_ms", r.getTimestamp())
        .put("delivery_count", r.getDeliveryCount())
        .put("lock_deadline_ms", r.getLockDeadlineMs());
    byte[] key = r.getHasKey() ? r.getKey().toByteArray() : null;
    // A share record has no null value; an empty one is JSON null, the only value it can be.
    byte[] value =
        format == ValueFormat.JSON && r.getValue().isEmpty() ? null : r.getValue().toByteArray();
    String what = "record " + r.getTopic() + "-" + r.getPartition() + "@" + r.getOffset();
    try {
      out.set("key", format.decode(key, what + " key"));
      out.set("value", format.decode(value, what + " value"));
    } catch (HttpApiException unreadable) {
      out.put("format", "base64");
      out.set("key", ValueFormat.BASE64.decode(key, what + " key"));
      out.set("value", ValueFormat.BASE64.decode(r.getValue().toByteArray(), what + " value"));
    }
    ObjectNode headers = out.putObject("headers");
    for (ShareRecordHeader h : r.getHeadersList()) {
      headers.put(h.getKey(), h.getValue().toString(StandardCharsets.UTF_8));
    }
  }

  // ------------------------------------------------------------------ acknowledge

  CompletableFuture<HttpReply> acknowledge(String group, byte[] body) {
    JsonInput in = JsonInput.parse(body).allowOnly(ACK_FIELDS);
    String memberId = checkMemberId(in.requiredString("member_id"), "member_id");
    List<JsonInput> acks = in.objects("acks");
    if (acks.isEmpty() || acks.size() > settings.memberMaxAcquired()) {
      throw HttpApiException.badField(
          "acks",
          "expected 1 to "
              + settings.memberMaxAcquired()
              + " acknowledgements (share member limit), got "
              + acks.size());
    }
    ShareAcknowledgeRequest.Builder request =
        ShareAcknowledgeRequest.newBuilder().setGroupId(group).setMemberId(memberId);
    for (JsonInput a : acks) {
      a.allowOnly(ACK_ITEM_FIELDS);
      request.addAcknowledgements(
          ShareAcknowledgement.newBuilder()
              .setTopic(a.requiredString("topic"))
              .setPartition((int) required(a, "partition", Integer.MAX_VALUE))
              .setOffset(required(a, "offset", Long.MAX_VALUE))
              .setType(type(a)));
    }
    return atCoordinator(
            group,
            Rpcs.SHARE_ACKNOWLEDGE,
            request.build(),
            COORDINATOR_TIMEOUT,
            ShareAcknowledgeResponse::getError)
        .thenApply(r -> ackReply(check(r.getError(), r.getShareError(), r), request));
  }

  private static long required(JsonInput in, String name, long max) {
    return in.integer(name, 0, max)
        .orElseThrow(() -> HttpApiException.badField(in.at(name), "required integer is missing"));
  }

  private static AcknowledgeType type(JsonInput a) {
    String text = a.requiredString("type");
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "accept" -> AcknowledgeType.ACCEPT;
      case "release" -> AcknowledgeType.RELEASE;
      case "reject" -> AcknowledgeType.REJECT;
      case "renew" -> AcknowledgeType.RENEW;
      default ->
          throw HttpApiException.badField(
              a.at("type"),
              "expected \"accept\", \"release\", \"reject\" or \"renew\", got \"" + text + "\"");
    };
  }

  /**
   * Every acknowledgement's result in request order. Refused ones carry {@code error}, and the
   * answer takes the first refusal's status (as a produce does): the others applied.
   */
  private static HttpReply ackReply(
      ShareAcknowledgeResponse r, ShareAcknowledgeRequest.Builder request) {
    ObjectNode root = JsonInput.MAPPER.createObjectNode();
    ArrayNode results = root.putArray("results");
    HttpApiException first = null;
    for (int i = 0; i < r.getResultsCount(); i++) {
      ShareAcknowledgeResult result = r.getResults(i);
      AcknowledgeType type = request.getAcknowledgements(i).getType();
      ObjectNode o =
          results
              .addObject()
              .put("topic", result.getTopic())
              .put("partition", result.getPartition())
              .put("offset", result.getOffset())
              .put("type", type.name().toLowerCase(Locale.ROOT));
      if (result.getError().getCode() != ShareErrorCode.SHARE_NONE) {
        HttpApiException e = shareError(result.getError(), "acks[" + i + "]");
        o.putObject("error").put("code", e.code()).put("message", e.getMessage());
        first = first == null ? e : first;
      } else if (type == AcknowledgeType.RENEW) {
        o.put("lock_deadline_ms", result.getLockDeadlineMs());
      }
    }
    if (first == null) {
      return HttpReply.ok(root);
    }
    root.putObject("error")
        .put("code", first.code())
        .put("message", first.getMessage())
        .put("field", first.field());
    return HttpReply.json(first.status(), root);
  }

  // ------------------------------------------------------------------ describe and leave

  CompletableFuture<HttpReply> describe(String group) {
    return atCoordinator(
            group,
            Rpcs.DESCRIBE_SHARE_GROUP,
            DescribeShareGroupRequest.newBuilder().setGroupId(group).build(),
            COORDINATOR_TIMEOUT,
            DescribeShareGroupResponse::getError)
        .thenApply(r -> HttpReply.ok(describeJson(check(r.getError(), null, r))));
  }

  private static ObjectNode describeJson(DescribeShareGroupResponse r) {
    ObjectNode root =
        JsonInput.MAPPER
            .createObjectNode()
            .put("group", r.getGroupId())
            .put("dead_letter_topic_suffix", r.getDeadLetterTopicSuffix());
    ArrayNode members = root.putArray("members");
    for (ShareMemberDescription m : r.getMembersList()) {
      ObjectNode o =
          members
              .addObject()
              .put("member_id", m.getMemberId())
              .put("client_id", m.getClientId())
              .put("acquired", m.getAcquired());
      m.getSubscribedTopicsList().forEach(o.putArray("topics")::add);
    }
    ArrayNode partitions = root.putArray("partitions");
    for (SharePartitionDescription p : r.getPartitionsList()) {
      partitions
          .addObject()
          .put("topic", p.getTopic())
          .put("partition", p.getPartition())
          .put("start_offset", p.getStartOffset())
          .put("end_offset", p.getEndOffset())
          .put("high_watermark", p.getHighWatermark())
          .put("lag", p.getLag())
          .put("available", p.getAvailable())
          .put("acquired", p.getAcquired())
          .put("delayed", p.getDelayed())
          .put("dead_letter_pending", p.getDeadLetterPending())
          .put("max_delivery_count", p.getMaxDeliveryCount())
          .put("oldest_unacked_age_ms", p.getOldestUnackedAgeMs())
          .put("dead_lettered", p.getDeadLettered())
          .put("lock_expiries", p.getLockExpiries())
          .put("redeliveries", p.getRedeliveries());
    }
    return root;
  }

  /** Leaves at once: the member's records are released (redelivered) without waiting for locks. */
  CompletableFuture<HttpReply> leave(String group, String memberId) {
    checkMemberId(memberId, "member_id");
    return heartbeat(group, memberId, -1, List.of())
        .thenApply(
            r -> {
              check(r.getError(), r.getShareError(), r);
              return HttpReply.noContent();
            });
  }

  // ------------------------------------------------------------------ routing and errors

  /** {@code request} at the group's coordinator, once more at the one NOT_COORDINATOR names. */
  private <Q, R> CompletableFuture<R> atCoordinator(
      String group,
      NodeCalls.Rpc<Q, R> rpc,
      Q request,
      Duration timeout,
      Function<R, ErrorDetail> error) {
    return calls
        .call(
            calls.selfId(),
            Rpcs.FIND_COORDINATOR,
            FindCoordinatorRequest.newBuilder().setGroupId(group).build(),
            COORDINATOR_TIMEOUT)
        .thenCompose(
            found -> {
              if (found.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(found.getError());
              }
              int first = found.getCoordinator().getId();
              return calls
                  .call(first, rpc, request, timeout)
                  .thenCompose(
                      r -> {
                        ErrorDetail e = error.apply(r);
                        int hinted =
                            e.getCode() == ErrorCode.NOT_COORDINATOR
                                ? e.getLeader().getLeaderId()
                                : 0;
                        return hinted != 0 && hinted != first
                            ? calls.call(hinted, rpc, request, timeout)
                            : CompletableFuture.completedFuture(r);
                      });
            });
  }

  /** {@code response} if neither its routing error nor its share error is set; else throws. */
  private static <R> R check(ErrorDetail routing, ShareError share, R response) {
    if (routing.getCode() != ErrorCode.NONE) {
      throw HttpApiException.of(routing);
    }
    if (share != null && share.getCode() != ShareErrorCode.SHARE_NONE) {
      throw shareError(share, null);
    }
    return response;
  }

  /** A share error as an HTTP error whose code is the {@code ShareErrorCode} name. */
  static HttpApiException shareError(ShareError e, String field) {
    HttpResponseStatus status =
        switch (e.getCode()) {
          case SHARE_UNKNOWN_MEMBER, SHARE_UNKNOWN_OFFSET -> HttpResponseStatus.NOT_FOUND;
          case SHARE_NOT_HELD, SHARE_LOCK_EXPIRED, SHARE_LIMIT_EXCEEDED ->
              HttpResponseStatus.CONFLICT;
          case SHARE_INVALID_REQUEST -> HttpResponseStatus.BAD_REQUEST;
          case SHARE_NONE, UNRECOGNIZED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    return new HttpApiException(status, e.getCode().name(), field, e.getMessage());
  }

  private static String checkMemberId(String id, String field) {
    if (id.isEmpty() || id.length() > MAX_MEMBER_ID_CHARS || !MEMBER_ID.matcher(id).matches()) {
      throw HttpApiException.badField(
          field,
          "expected 1 to "
              + MAX_MEMBER_ID_CHARS
              + " characters of [A-Za-z0-9._:-], got \""
              + (id.length() > MAX_MEMBER_ID_CHARS ? id.substring(0, 32) + "..." : id)
              + "\" ("
              + id.length()
              + " characters)");
    }
    return id;
  }
}
