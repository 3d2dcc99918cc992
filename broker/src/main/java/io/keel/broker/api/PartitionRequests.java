package io.keel.broker.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.keel.broker.api.PartitionRouter.Route;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.TopicConfigs;
import io.keel.broker.partition.Acks;
import io.keel.broker.partition.FetchOperation;
import io.keel.broker.partition.PartitionException;
import io.keel.broker.partition.PartitionRead;
import io.keel.broker.partition.PartitionStateMachine;
import io.keel.broker.partition.RecordBatches;
import io.keel.broker.partition.ValidatedBatch;
import io.keel.logstore.StoredBatch;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsPartitionResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.OffsetSpec;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Produce, Fetch and ListOffsets: maps proto requests onto local partition replicas. */
final class PartitionRequests {
  /** Checks the group member a fetch claims to be: NONE, or the error to fail the fetch with. */
  interface MemberCheck {
    CompletableFuture<ErrorDetail> check(String groupId, String memberId, int memberEpoch);
  }

  private final PartitionRouter router;
  private final MetadataView metadata;
  private final ErrorDetails errors;
  private final ApiSettings settings;
  private final ScheduledExecutorService timer;
  private final MemberCheck memberCheck;

  PartitionRequests(
      PartitionRouter router,
      MetadataView metadata,
      ErrorDetails errors,
      ApiSettings settings,
      ScheduledExecutorService timer,
      MemberCheck memberCheck) {
    this.memberCheck = memberCheck;
    this.router = router;
    this.metadata = metadata;
    this.errors = errors;
    this.settings = settings;
    this.timer = timer;
  }

  // ------------------------------------------------------------------ produce

  CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    Acks acks;
    try {
      acks = Acks.fromWire(request.getAcks());
    } catch (PartitionException e) {
      return CompletableFuture.completedFuture(failAll(request, errors.of(e)));
    }
    Duration timeout =
        request.getTimeoutMs() > 0
            ? Duration.ofMillis(request.getTimeoutMs())
            : settings.defaultProduceTimeout();
    List<CompletableFuture<ProducePartitionResponse>> parts = new ArrayList<>();
    for (ProducePartitionData data : request.getPartitionsList()) {
      parts.add(producePartition(data, acks, timeout));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                ProduceResponse.newBuilder()
                    .addAllPartitions(parts.stream().map(CompletableFuture::join).toList())
                    .build());
  }

  private CompletableFuture<ProducePartitionResponse> producePartition(
      ProducePartitionData data, Acks acks, Duration timeout) {
    ProducePartitionResponse.Builder out =
        ProducePartitionResponse.newBuilder()
            .setTopic(data.getTopic())
            .setPartition(data.getPartition())
            .setBaseOffset(-1)
            .setLogAppendTimeMs(-1)
            .setLogStartOffset(-1);
    Route route = router.route(data.getTopic(), data.getPartition());
    if (route.error() != null) {
      return CompletableFuture.completedFuture(out.setError(route.error()).build());
    }
    ValidatedBatch batch;
    try {
      batch = validate(data);
    } catch (PartitionException e) {
      return CompletableFuture.completedFuture(out.setError(errors.of(e)).build());
    }
    return route
        .replica()
        .produce(batch, acks)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (result, err) -> {
              if (err == null) {
                return out.setBaseOffset(result.baseOffset())
                    .setLogStartOffset(result.logStartOffset())
                    .build();
              }
              if (ErrorDetails.unwrap(err) instanceof TimeoutException) {
                return out.setError(
                        ErrorDetails.of(
                            ErrorCode.REQUEST_TIMED_OUT,
                            "batch not acknowledged within timeout_ms="
                                + timeout.toMillis()
                                + "; it may still be committed (retry with the same sequence)"))
                    .build();
              }
              return out.setError(errors.of(err, data.getTopic(), data.getPartition())).build();
            });
  }

  /** Checks the batch against max.request.bytes or the topic's smaller max.message.bytes. */
  private ValidatedBatch validate(ProducePartitionData data) {
    int limit = settings.maxRequestBytes();
    String limitName = RecordBatches.MAX_REQUEST_BYTES;
    String topicLimit =
        metadata
            .topic(data.getTopic())
            .map(t -> t.configs().get(TopicConfigs.MAX_MESSAGE_BYTES))
            .orElse(null);
    if (topicLimit != null && Long.parseLong(topicLimit.trim()) < limit) {
      limit = (int) Long.parseLong(topicLimit.trim());
      limitName = "topic " + data.getTopic() + " " + TopicConfigs.MAX_MESSAGE_BYTES;
    }
    return RecordBatches.validate(data.getRecordBatch().toByteArray(), limit, limitName);
  }

  static ProduceResponse failAll(ProduceRequest request, ErrorDetail error) {
    ProduceResponse.Builder b = ProduceResponse.newBuilder();
    for (ProducePartitionData d : request.getPartitionsList()) {
      b.addPartitions(
          ProducePartitionResponse.newBuilder()
              .setTopic(d.getTopic())
              .setPartition(d.getPartition())
              .setError(error)
              .setBaseOffset(-1)
              .setLogAppendTimeMs(-1)
              .setLogStartOffset(-1));
    }
    return b.build();
  }

  // ------------------------------------------------------------------ fetch

  /**
   * A fetch naming a group goes on only if the coordinator knows the member at that epoch, so a
   * fenced zombie stops reading; fetches without a group (manual assignment) are not checked.
   */
  CompletableFuture<FetchResponse> fetch(FetchRequest request) {
    if (request.getGroupId().isEmpty()) {
      return fetchUnfenced(request);
    }
    return memberCheck
        .check(request.getGroupId(), request.getMemberId(), request.getMemberEpoch())
        .thenCompose(
            error ->
                error.getCode() == ErrorCode.NONE
                    ? fetchUnfenced(request)
                    : CompletableFuture.completedFuture(
                        FetchResponse.newBuilder().setError(error).build()));
  }

  private CompletableFuture<FetchResponse> fetchUnfenced(FetchRequest request) {
    String invalid = invalidFetch(request);
    if (invalid != null) {
      return CompletableFuture.completedFuture(
          FetchResponse.newBuilder()
              .setError(ErrorDetails.of(ErrorCode.INVALID_REQUEST, invalid))
              .build());
    }
    List<FetchPartition> asked = request.getPartitionsList();
    FetchPartitionResponse[] answers = new FetchPartitionResponse[asked.size()];
    List<FetchOperation.Target> targets = new ArrayList<>();
    List<Integer> targetSlots = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      FetchPartition p = asked.get(i);
      Route route = router.route(p.getTopic(), p.getPartition());
      if (route.error() != null) {
        answers[i] = fetchError(p, route.error());
      } else {
        int partitionMax =
            p.getPartitionMaxBytes() > 0
                ? p.getPartitionMaxBytes()
                : settings.defaultPartitionMaxBytes();
        targets.add(new FetchOperation.Target(route.replica(), p.getFetchOffset(), partitionMax));
        targetSlots.add(i);
      }
    }
    boolean anyError = targets.size() < asked.size();
    Duration wait = anyError ? Duration.ZERO : Duration.ofMillis(request.getMaxWaitMs());
    int maxBytes =
        request.getMaxBytes() > 0 ? request.getMaxBytes() : settings.defaultFetchMaxBytes();
    return FetchOperation.start(targets, request.getMinBytes(), maxBytes, wait, timer)
        .thenApply(
            outcomes -> {
              for (int t = 0; t < outcomes.size(); t++) {
                int slot = targetSlots.get(t);
                answers[slot] = fetchAnswer(asked.get(slot), outcomes.get(t));
              }
              return FetchResponse.newBuilder().addAllPartitions(List.of(answers)).build();
            });
  }

  private String invalidFetch(FetchRequest request) {
    if (request.getMaxWaitMs() < 0 || request.getMaxWaitMs() > settings.maxFetchWait().toMillis()) {
      return String.format(
          "max_wait_ms must be in [0, %d], was %d",
          settings.maxFetchWait().toMillis(), request.getMaxWaitMs());
    }
    if (request.getMinBytes() < 0) {
      return "min_bytes must be >= 0, was " + request.getMinBytes();
    }
    if (request.getMaxBytes() < 0) {
      return "max_bytes must be >= 0 (0 = server default), was " + request.getMaxBytes();
    }
    for (FetchPartition p : request.getPartitionsList()) {
      if (p.getPartitionMaxBytes() < 0) {
        return "partition_max_bytes must be >= 0, was " + p.getPartitionMaxBytes();
      }
    }
    return null;
  }

  private FetchPartitionResponse fetchAnswer(FetchPartition asked, FetchOperation.Outcome o) {
    if (o.error() != null) {
      return fetchError(asked, errors.of(o.error(), asked.getTopic(), asked.getPartition()));
    }
    PartitionRead read = o.read();
    if (asked.getCurrentLeaderEpoch() > 0 && asked.getCurrentLeaderEpoch() < read.leaderEpoch()) {
      return fetchError(
          asked,
          ErrorDetails.of(
              ErrorCode.FENCED_LEADER_EPOCH,
              String.format(
                  "current_leader_epoch %d is older than the leader's epoch %d",
                  asked.getCurrentLeaderEpoch(), read.leaderEpoch())));
    }
    FetchPartitionResponse.Builder b =
        FetchPartitionResponse.newBuilder()
            .setTopic(asked.getTopic())
            .setPartition(asked.getPartition())
            .setHighWatermark(read.highWatermark())
            .setLogStartOffset(read.logStartOffset())
            .setLeaderEpoch(read.leaderEpoch());
    for (StoredBatch batch : read.batches()) {
      b.addRecordBatches(onTheWire(batch));
    }
    return b.build();
  }

  /**
   * The stored bytes as they are: copied once, when gRPC serializes the response. Protobuf writes a
   * wrapped array to gRPC's stream in one call; a wrapped {@link java.nio.ByteBuffer} it would copy
   * through its 4 KiB staging buffer first.
   */
  static ByteString onTheWire(StoredBatch batch) {
    return batch.lend(UnsafeByteOperations::unsafeWrap);
  }

  private static FetchPartitionResponse fetchError(FetchPartition asked, ErrorDetail error) {
    return FetchPartitionResponse.newBuilder()
        .setTopic(asked.getTopic())
        .setPartition(asked.getPartition())
        .setError(error)
        .setHighWatermark(-1)
        .setLogStartOffset(-1)
        .setLeaderEpoch(-1)
        .build();
  }

  // ------------------------------------------------------------------ list offsets

  CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request) {
    List<CompletableFuture<ListOffsetsPartitionResponse>> parts = new ArrayList<>();
    for (ListOffsetsPartition p : request.getPartitionsList()) {
      parts.add(listOffsets(p));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                ListOffsetsResponse.newBuilder()
                    .addAllPartitions(parts.stream().map(CompletableFuture::join).toList())
                    .build());
  }

  private CompletableFuture<ListOffsetsPartitionResponse> listOffsets(ListOffsetsPartition p) {
    ListOffsetsPartitionResponse.Builder out =
        ListOffsetsPartitionResponse.newBuilder()
            .setTopic(p.getTopic())
            .setPartition(p.getPartition())
            .setOffset(-1)
            .setTimestampMs(-1)
            .setLeaderEpoch(-1);
    Route route = router.route(p.getTopic(), p.getPartition());
    if (route.error() != null) {
      return CompletableFuture.completedFuture(out.setError(route.error()).build());
    }
    OffsetSpec spec = p.getSpec();
    return route
        .replica()
        .onLoop(sm -> lookUp(sm, spec, out))
        .exceptionally(err -> out.setError(errors.of(err, p.getTopic(), p.getPartition())).build());
  }

  private static ListOffsetsPartitionResponse lookUp(
      PartitionStateMachine sm, OffsetSpec spec, ListOffsetsPartitionResponse.Builder out) {
    out.setLeaderEpoch(sm.leaderEpoch());
    return switch (spec.getKind()) {
      case EARLIEST -> out.setOffset(sm.earliestOffset()).build();
      case LATEST -> out.setOffset(sm.latestOffset()).build();
      case BY_TIMESTAMP -> {
        sm.offsetForTimestamp(spec.getTimestampMs())
            .ifPresent(t -> out.setOffset(t.offset()).setTimestampMs(t.timestampMs()));
        yield out.build();
      }
      case KIND_UNSPECIFIED, EXACT, UNRECOGNIZED ->
          throw new PartitionException(
              ErrorCode.INVALID_REQUEST,
              "spec.kind must be EARLIEST, LATEST or BY_TIMESTAMP, was " + spec.getKind());
    };
  }
}
