package io.keel.broker.partition;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.InitProducerIdRequest;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import io.keel.proto.NewTopic;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A minimal test client over real sockets: follows NOT_LEADER hints, retries retriable errors until
 * a deadline, and produces idempotently so retries never duplicate records.
 */
final class RetryingClient implements AutoCloseable {
  private static final Set<ErrorCode> RETRIABLE =
      Set.of(
          ErrorCode.NOT_LEADER,
          ErrorCode.LEADER_NOT_AVAILABLE,
          ErrorCode.REQUEST_TIMED_OUT,
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  private final List<String> addresses;
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final Duration deadline;
  private int next;

  RetryingClient(String bootstrap, Duration deadline) {
    this.addresses = List.of(bootstrap.split(","));
    this.deadline = deadline;
  }

  private KeelClientGrpc.KeelClientBlockingStub stub(String address) {
    ManagedChannel ch =
        channels.computeIfAbsent(
            address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    return KeelClientGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  long initProducerId() {
    return call(
        s ->
            s.initProducerId(
                    InitProducerIdRequest.newBuilder()
                        .setProducerId(-1)
                        .setProducerEpoch(-1)
                        .build())
                .getProducerId(),
        id -> ErrorDetail.getDefaultInstance());
  }

  // While nodes start, the controller may not be elected or may not see every node live yet.
  private static final Set<ErrorCode> SETTLING =
      Set.of(ErrorCode.NOT_CONTROLLER, ErrorCode.INVALID_REPLICATION_FACTOR);

  /** Creates a topic, retrying while the controller quorum settles. */
  void createTopic(String topic, int partitions, int replicationFactor) {
    CreateTopicsRequest request =
        CreateTopicsRequest.newBuilder()
            .addTopics(
                NewTopic.newBuilder()
                    .setName(topic)
                    .setPartitions(partitions)
                    .setReplicationFactor(replicationFactor))
            .build();
    int[] attempts = {0};
    call(
        s -> {
          attempts[0]++;
          return s.createTopics(request).getResults(0);
        },
        r -> {
          ErrorCode code = r.getError().getCode();
          if (code == ErrorCode.TOPIC_ALREADY_EXISTS && attempts[0] > 1) {
            // An earlier attempt was applied but its answer was lost (timeout, leader change).
            return ErrorDetail.getDefaultInstance();
          }
          return SETTLING.contains(code)
              ? ErrorDetail.newBuilder().setCode(ErrorCode.LEADER_NOT_AVAILABLE).build()
              : r.getError();
        });
  }

  /** The leader node id of a partition as the cluster's metadata reports it, 0 if unknown. */
  int leaderOf(String topic, int partition) {
    MetadataResponse m =
        call(
            s -> s.metadata(MetadataRequest.newBuilder().addTopics(topic).build()),
            r -> r.getTopics(0).getError());
    return m.getTopics(0).getPartitions(partition).getLeaderId();
  }

  /** Produces with acks=all until acknowledged; returns the base offset. */
  long produce(String topic, int partition, byte[] batch) {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setAcks(-1)
            .setTimeoutMs(5_000)
            .addPartitions(
                ProducePartitionData.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setRecordBatch(ByteString.copyFrom(batch)))
            .build();
    return call(s -> s.produce(request).getPartitions(0), ProducePartitionResponse::getError)
        .getBaseOffset();
  }

  /** Every record value of the partition from {@code offset} up to its high watermark. */
  List<String> readAll(String topic, int partition) {
    List<String> values = new ArrayList<>();
    long offset = 0;
    while (true) {
      FetchPartitionResponse r = fetch(topic, partition, offset);
      for (ByteString bytes : r.getRecordBatchesList()) {
        for (Record record : RecordBatch.decode(bytes.toByteArray()).records()) {
          if (record.offset() >= offset) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
            offset = record.offset() + 1;
          }
        }
      }
      if (offset >= r.getHighWatermark()) {
        return values;
      }
    }
  }

  FetchPartitionResponse fetch(String topic, int partition, long offset) {
    FetchRequest request =
        FetchRequest.newBuilder()
            .setMaxWaitMs(0)
            .addPartitions(
                FetchPartition.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setFetchOffset(offset))
            .build();
    return call(s -> s.fetch(request).getPartitions(0), FetchPartitionResponse::getError);
  }

  private <T> T call(
      Function<KeelClientGrpc.KeelClientBlockingStub, T> rpc, Function<T, ErrorDetail> errorOf) {
    long end = System.nanoTime() + deadline.toNanos();
    String address = addresses.get(next % addresses.size());
    String last = "no attempt";
    while (System.nanoTime() < end) {
      try {
        T response = rpc.apply(stub(address));
        ErrorDetail error = errorOf.apply(response);
        if (error.getCode() == ErrorCode.NONE) {
          return response;
        }
        if (!RETRIABLE.contains(error.getCode())) {
          throw new AssertionError("non-retriable error from " + address + ": " + error);
        }
        last = address + ": " + error.getCode() + " " + error.getMessage();
        address =
            error.getLeader().getPort() > 0
                ? error.getLeader().getHost() + ":" + error.getLeader().getPort()
                : addresses.get(++next % addresses.size());
      } catch (StatusRuntimeException e) {
        last = address + ": " + e.getStatus();
        address = addresses.get(++next % addresses.size());
      }
      sleepBriefly();
    }
    throw new AssertionError("no success within " + deadline + "; last: " + last);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20); // back-off between retries of a retriable error
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static byte[] batch(long producerId, int baseSeq, List<String> values) {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    if (producerId >= 0) {
      b.producer(producerId, (short) 0, baseSeq);
    }
    for (String v : values) {
      b.append(System.currentTimeMillis(), null, v.getBytes(StandardCharsets.UTF_8));
    }
    return b.build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
