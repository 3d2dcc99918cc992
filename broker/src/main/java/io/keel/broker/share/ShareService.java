package io.keel.broker.share;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.group.GroupCoordinatorService;
import io.keel.broker.group.PartitionCoordinator;
import io.keel.broker.group.TopicPartition;
import io.keel.proto.AcknowledgeType;
import io.keel.proto.AcquiredRecord;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DescribeShareGroupRequest;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelShareGrpc;
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
import io.keel.proto.ShareRecordHeader;
import io.keel.proto.records.Header;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The KeelShare gRPC service: routes each share-group RPC to the group's coordinator (the leader of
 * its {@code __consumer_offsets} partition, exactly as for consumer groups) and runs the share
 * timers. Non-blocking; errors are in the responses.
 */
public final class ShareService extends KeelShareGrpc.KeelShareImplBase implements AutoCloseable {
  private final GroupCoordinatorService groups;
  private final ShareSettings settings;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final ClusterLog log;
  private final HighWatermarkLookup highWatermarks;
  private final ShareMetrics metrics;
  private final Map<PartitionCoordinator, ShareCoordinator> coordinators =
      new ConcurrentHashMap<>();
  private ScheduledFuture<?> timer;

  public ShareService(
      GroupCoordinatorService groups,
      MetadataView metadata,
      Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> topicCreator,
      MeterRegistry registry,
      ScheduledExecutorService scheduler,
      ShareSettings settings,
      InstantSource clock) {
    this.groups = groups;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.log = new ClusterLog(metadata, topicCreator);
    this.highWatermarks = new HighWatermarkLookup(log::read, clock, scheduler);
    this.metrics = new ShareMetrics(registry, clock);
  }

  public void start() {
    long ms = settings.timerInterval().toMillis();
    timer = scheduler.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    List<PartitionCoordinator> live = groups.localCoordinators();
    coordinators.keySet().retainAll(live);
    for (PartitionCoordinator pc : live) {
      ShareCoordinator c = coordinator(pc);
      c.tick();
      metrics.refresh(c);
    }
  }

  private ShareCoordinator coordinator(PartitionCoordinator pc) {
    return coordinators.computeIfAbsent(
        pc, k -> new ShareCoordinator(k.group(), k.stateMachine(), log, settings, clock));
  }

  private ShareCoordinator route(String groupId) {
    return coordinator(groups.routeToCoordinator(groupId));
  }

  // ------------------------------------------------------------------ RPCs

  @Override
  public void shareGroupHeartbeat(
      ShareGroupHeartbeatRequest req, StreamObserver<ShareGroupHeartbeatResponse> observer) {
    ShareGroupHeartbeatResponse.Builder out = ShareGroupHeartbeatResponse.newBuilder();
    answer(
        observer,
        () -> {
          if (req.getMemberEpoch() < -1) {
            throw new ShareException(
                ShareErrorCode.SHARE_INVALID_REQUEST,
                "member_epoch must be -1, 0 or positive, was " + req.getMemberEpoch());
          }
          return route(req.getGroupId())
              .heartbeat(
                  req.getGroupId(),
                  req.getMemberId(),
                  req.getMemberEpoch(),
                  req.getClientId(),
                  req.getSubscribedTopicsList())
              .thenApply(
                  id ->
                      out.setMemberId(id)
                          .setMemberEpoch(req.getMemberEpoch() == -1 ? -1 : 1)
                          .setHeartbeatIntervalMs((int) settings.heartbeatInterval().toMillis())
                          .setRecordLockDurationMs(settings.lockDuration().toMillis())
                          .build());
        },
        e -> out.setError(e).build(),
        e -> out.setShareError(e).build());
  }

  @Override
  public void shareFetch(ShareFetchRequest req, StreamObserver<ShareFetchResponse> observer) {
    answer(
        observer,
        () -> {
          if (req.getMaxRecords() < 1 || req.getMaxRecords() > settings.fetchMaxRecords()) {
            throw new ShareException(
                ShareErrorCode.SHARE_LIMIT_EXCEEDED,
                "max_records must be 1 to "
                    + settings.fetchMaxRecords()
                    + ", was "
                    + req.getMaxRecords());
          }
          long waitUntil = clock.millis() + Math.max(0, req.getMaxWaitMs());
          return fetchUntil(req, waitUntil)
              .thenApply(
                  list -> {
                    ShareFetchResponse.Builder out = ShareFetchResponse.newBuilder();
                    list.forEach(d -> out.addRecords(toProto(d)));
                    return out.build();
                  });
        },
        e -> ShareFetchResponse.newBuilder().setError(e).build(),
        e -> ShareFetchResponse.newBuilder().setShareError(e).build());
  }

  /** Tries at once, then every timer interval until something is acquired or the wait is over. */
  private CompletableFuture<List<ShareCoordinator.Delivery>> fetchUntil(
      ShareFetchRequest req, long waitUntil) {
    return route(req.getGroupId())
        .fetch(req.getGroupId(), req.getMemberId(), req.getMaxRecords())
        .thenCompose(
            list -> {
              long now = clock.millis();
              if (!list.isEmpty() || now >= waitUntil) {
                return CompletableFuture.completedFuture(list);
              }
              CompletableFuture<List<ShareCoordinator.Delivery>> next = new CompletableFuture<>();
              long delay = Math.min(settings.timerInterval().toMillis(), waitUntil - now);
              scheduler.schedule(
                  () -> {
                    try {
                      fetchUntil(req, waitUntil)
                          .whenComplete(
                              (v, e) -> {
                                if (e != null) {
                                  next.completeExceptionally(e);
                                } else {
                                  next.complete(v);
                                }
                              });
                    } catch (RuntimeException e) {
                      next.completeExceptionally(e);
                    }
                  },
                  delay,
                  TimeUnit.MILLISECONDS);
              return next;
            });
  }

  private static AcquiredRecord toProto(ShareCoordinator.Delivery d) {
    AcquiredRecord.Builder b =
        AcquiredRecord.newBuilder()
            .setTopic(d.partition().topic())
            .setPartition(d.partition().partition())
            .setOffset(d.record().offset())
            .setTimestamp(d.record().timestamp())
            .setHasKey(d.record().key() != null)
            .setValue(
                ByteString.copyFrom(d.record().value() == null ? new byte[0] : d.record().value()))
            .setDeliveryCount(d.deliveryCount())
            .setLockDeadlineMs(d.deadlineMs());
    if (d.record().key() != null) {
      b.setKey(ByteString.copyFrom(d.record().key()));
    }
    for (Header h : d.record().headers()) {
      b.addHeaders(
          ShareRecordHeader.newBuilder()
              .setKey(h.key())
              .setValue(ByteString.copyFrom(h.value() == null ? new byte[0] : h.value())));
    }
    return b.build();
  }

  @Override
  public void shareAcknowledge(
      ShareAcknowledgeRequest req, StreamObserver<ShareAcknowledgeResponse> observer) {
    answer(
        observer,
        () -> {
          List<ShareCoordinator.Ack> acks = new ArrayList<>();
          for (ShareAcknowledgement a : req.getAcknowledgementsList()) {
            acks.add(
                new ShareCoordinator.Ack(
                    new TopicPartition(a.getTopic(), a.getPartition()),
                    a.getOffset(),
                    type(a.getType())));
          }
          if (acks.size() > settings.memberMaxAcquired()) {
            throw new ShareException(
                ShareErrorCode.SHARE_LIMIT_EXCEEDED,
                "acknowledgements must be at most "
                    + settings.memberMaxAcquired()
                    + ", was "
                    + acks.size());
          }
          return route(req.getGroupId())
              .acknowledge(req.getGroupId(), req.getMemberId(), acks)
              .thenApply(
                  results -> {
                    ShareAcknowledgeResponse.Builder out = ShareAcknowledgeResponse.newBuilder();
                    for (ShareCoordinator.AckResult r : results) {
                      out.addResults(
                          ShareAcknowledgeResult.newBuilder()
                              .setTopic(r.partition().topic())
                              .setPartition(r.partition().partition())
                              .setOffset(r.offset())
                              .setLockDeadlineMs(r.deadlineMs())
                              .setError(ackError(r)));
                    }
                    return out.build();
                  });
        },
        e -> ShareAcknowledgeResponse.newBuilder().setError(e).build(),
        e -> ShareAcknowledgeResponse.newBuilder().setShareError(e).build());
  }

  private static AckType type(AcknowledgeType t) {
    return switch (t) {
      case ACCEPT -> AckType.ACCEPT;
      case RELEASE -> AckType.RELEASE;
      case REJECT -> AckType.REJECT;
      case RENEW -> AckType.RENEW;
      case ACK_UNSPECIFIED, UNRECOGNIZED ->
          throw new ShareException(
              ShareErrorCode.SHARE_INVALID_REQUEST,
              "acknowledgements[].type must be ACCEPT, RELEASE, REJECT or RENEW, was " + t);
    };
  }

  private static ShareError ackError(ShareCoordinator.AckResult r) {
    String where = r.partition() + "@" + r.offset();
    return switch (r.error()) {
      case NONE -> ShareError.getDefaultInstance();
      case UNKNOWN_OFFSET ->
          shareError(
              ShareErrorCode.SHARE_UNKNOWN_OFFSET,
              where + " is not in flight (never delivered, or already done)");
      case NOT_HELD ->
          shareError(ShareErrorCode.SHARE_NOT_HELD, where + " is not acquired by this member");
      case LOCK_EXPIRED ->
          shareError(
              ShareErrorCode.SHARE_LOCK_EXPIRED,
              where + ": the acquisition lock expired; the record may be redelivered");
    };
  }

  @Override
  public void describeShareGroup(
      DescribeShareGroupRequest req, StreamObserver<DescribeShareGroupResponse> observer) {
    answer(
        observer,
        () ->
            ShareDescriber.describe(
                route(req.getGroupId()), req.getGroupId(), highWatermarks, clock, settings),
        e -> DescribeShareGroupResponse.newBuilder().setError(e).build(),
        e ->
            DescribeShareGroupResponse.newBuilder()
                .setError(
                    ErrorDetail.newBuilder()
                        .setCode(io.keel.proto.ErrorCode.INVALID_REQUEST)
                        .setMessage(e.getMessage()))
                .build());
  }

  // ------------------------------------------------------------------ helpers

  private static ShareError shareError(ShareErrorCode code, String message) {
    return ShareError.newBuilder().setCode(code).setMessage(message).build();
  }

  private <T> void answer(
      StreamObserver<T> observer,
      java.util.function.Supplier<CompletableFuture<T>> call,
      Function<ErrorDetail, T> routingError,
      Function<ShareError, T> shareError) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (v, e) -> {
          T reply = v;
          if (e != null) {
            Throwable t = e;
            while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
              t = t.getCause();
            }
            reply =
                switch (t) {
                  case ShareException se ->
                      shareError.apply(shareError(se.code(), se.getMessage()));
                  case PartitionUnavailableException pu ->
                      routingError.apply(
                          ErrorDetail.newBuilder()
                              .setCode(ErrorCode.LEADER_NOT_AVAILABLE)
                              .setMessage(pu.getMessage())
                              .build());
                  default -> routingError.apply(groups.errorOf(t));
                };
          }
          observer.onNext(reply);
          observer.onCompleted();
        });
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.cancel(false);
    }
    log.close();
    metrics.close();
  }
}
