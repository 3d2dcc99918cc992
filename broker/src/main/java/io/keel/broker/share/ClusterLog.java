package io.keel.broker.share;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.transport.PeerChannels;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import io.keel.proto.NewTopic;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The share coordinator's view of the cluster's partitions: reads committed records from a
 * partition's leader and produces dead letters (acks=all), over the client API like any client, so
 * the coordinator needs no replica of the topics it serves. Thread-safe.
 */
final class ClusterLog implements AutoCloseable {
  /** Records read from a partition, and its high watermark. */
  record Read(List<Record> records, long highWatermark, long logStartOffset) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MetadataView metadata;
  private final Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> creator;
  private final PeerChannels channels = new PeerChannels();

  ClusterLog(
      MetadataView metadata,
      Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> creator) {
    this.metadata = metadata;
    this.creator = creator;
  }

  Optional<TopicInfo> topic(String name) {
    return metadata.topic(name);
  }

  /** Committed records from {@code offset} on, at most about {@code maxBytes}. */
  CompletableFuture<Read> read(String topic, int partition, long offset, int maxBytes) {
    FetchRequest request =
        FetchRequest.newBuilder()
            .setMaxWaitMs(0)
            .setMaxBytes(maxBytes)
            .addPartitions(
                FetchPartition.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setFetchOffset(offset)
                    .setPartitionMaxBytes(maxBytes)
                    .setCurrentLeaderEpoch(-1))
            .build();
    return call(topic, partition, s -> s.fetch(request))
        .thenApply(
            r -> {
              FetchPartitionResponse p = r.getPartitions(0);
              check(p.getError(), topic, partition);
              List<Record> out = new ArrayList<>();
              for (ByteString batch : p.getRecordBatchesList()) {
                for (Record rec : RecordBatch.decode(batch.toByteArray()).records()) {
                  if (rec.offset() >= offset) {
                    out.add(rec);
                  }
                }
              }
              return new Read(out, p.getHighWatermark(), p.getLogStartOffset());
            });
  }

  /** Produces one batch with acks=all; completes with its base offset once committed. */
  CompletableFuture<Long> produce(String topic, int partition, byte[] batch) {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setAcks(-1)
            .setTimeoutMs((int) TIMEOUT.toMillis())
            .addPartitions(
                ProducePartitionData.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setRecordBatch(ByteString.copyFrom(batch)))
            .build();
    return call(topic, partition, s -> s.produce(request))
        .thenApply(
            r -> {
              ProducePartitionResponse p = r.getPartitions(0);
              check(p.getError(), topic, partition);
              return p.getBaseOffset();
            });
  }

  /** Creates {@code name} with one partition unless it exists; completes once it does. */
  CompletableFuture<Void> ensureTopic(String name, int replicationFactor) {
    if (metadata.topic(name).isPresent()) {
      return CompletableFuture.completedFuture(null);
    }
    int rf = Math.max(1, Math.min(replicationFactor, metadata.image().onlineBrokers().size()));
    CreateTopicsRequest request =
        CreateTopicsRequest.newBuilder()
            .addTopics(
                NewTopic.newBuilder().setName(name).setPartitions(1).setReplicationFactor(rf))
            .build();
    return creator
        .apply(request)
        .thenApply(
            r -> {
              ErrorCode code = r.getResults(0).getError().getCode();
              if (code != ErrorCode.NONE && code != ErrorCode.TOPIC_ALREADY_EXISTS) {
                throw new IllegalStateException(
                    "cannot create dead-letter topic '"
                        + name
                        + "': "
                        + r.getResults(0).getError());
              }
              return null;
            });
  }

  private static void check(ErrorDetail error, String topic, int partition) {
    String message = topic + "-" + partition + ": " + error.getCode() + " " + error.getMessage();
    switch (error.getCode()) {
      case NONE -> {}
      case NOT_LEADER, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, NOT_ENOUGH_REPLICAS, THROTTLED ->
          throw new PartitionUnavailableException(message);
      default -> throw new IllegalStateException(message);
    }
  }

  private <T> CompletableFuture<T> call(
      String topic, int partition, Function<KeelClientFutureStub, ListenableFuture<T>> rpc) {
    Optional<String> address = leaderAddress(topic, partition);
    if (address.isEmpty()) {
      return CompletableFuture.failedFuture(
          new PartitionUnavailableException(topic + "-" + partition + " has no known leader"));
    }
    KeelClientFutureStub stub =
        KeelClientGrpc.newFutureStub(channels.get(address.get()))
            .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<T> out = new CompletableFuture<>();
    Futures.addCallback(
        rpc.apply(stub),
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            out.complete(result);
          }

          @Override
          public void onFailure(Throwable t) {
            out.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return out;
  }

  private Optional<String> leaderAddress(String topic, int partition) {
    return metadata
        .topic(topic)
        .map(t -> metadata.partitionLeaders().get(t.groupId(partition)))
        .map(PartitionLeader::nodeId)
        .flatMap(metadata::broker)
        .map(BrokerInfo::clientAddress);
  }

  @Override
  public void close() {
    channels.close();
  }
}
