package io.keel.broker.group;

import io.grpc.stub.StreamObserver;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.transport.PeerChannels;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsPartitionResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.OffsetSpec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Looks up offsets of data partitions (high watermark for lag, earliest / latest / by timestamp for
 * resets) by asking each partition's leader over the client API, like any client would: the leader,
 * not this node's possibly lagging replica, knows the high watermark. Thread-safe.
 */
final class PartitionOffsets implements AutoCloseable {
  private final MetadataView metadata;
  private final Duration timeout;
  private final PeerChannels channels = new PeerChannels();
  private volatile boolean closed;

  PartitionOffsets(MetadataView metadata, Duration timeout) {
    this.metadata = metadata;
    this.timeout = timeout;
  }

  /** The offset for {@code spec}; -1 when BY_TIMESTAMP matches nothing. */
  CompletableFuture<Long> lookup(TopicPartition tp, OffsetSpec spec) {
    Optional<TopicInfo> topic = metadata.topic(tp.topic());
    if (topic.isEmpty() || tp.partition() >= topic.get().partitions()) {
      return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown partition " + tp);
    }
    PartitionLeader leader = metadata.partitionLeaders().get(topic.get().groupId(tp.partition()));
    Optional<String> address =
        Optional.ofNullable(leader)
            .flatMap(l -> metadata.broker(l.nodeId()))
            .map(BrokerInfo::clientAddress);
    if (address.isEmpty() || closed) {
      return failed(ErrorCode.LEADER_NOT_AVAILABLE, "no known leader for " + tp);
    }
    ListOffsetsRequest request =
        ListOffsetsRequest.newBuilder()
            .addPartitions(
                ListOffsetsPartition.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setSpec(spec))
            .build();
    CompletableFuture<ListOffsetsResponse> response = new CompletableFuture<>();
    KeelClientGrpc.newStub(channels.get(address.get()))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .listOffsets(request, observer(response));
    return response.thenCompose(r -> offsetOf(tp, r));
  }

  private static CompletableFuture<Long> offsetOf(TopicPartition tp, ListOffsetsResponse r) {
    if (r.getPartitionsCount() != 1) {
      return failed(ErrorCode.UNKNOWN, "ListOffsets for " + tp + " answered nothing");
    }
    ListOffsetsPartitionResponse p = r.getPartitions(0);
    if (p.getError().getCode() != ErrorCode.NONE) {
      return failed(p.getError().getCode(), p.getError().getMessage());
    }
    return CompletableFuture.completedFuture(p.getOffset());
  }

  private static <T> CompletableFuture<T> failed(ErrorCode code, String message) {
    return CompletableFuture.failedFuture(new CoordinatorException(code, message));
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        into.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  @Override
  public void close() {
    closed = true;
    channels.close();
  }
}
