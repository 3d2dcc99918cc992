package io.keel.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.keel.broker.controller.MetadataCache;
import io.keel.broker.controller.MetadataCommand;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.ProducerIdAllocator;
import io.keel.broker.raft.EventLoopRuntime;
import io.keel.broker.raft.RaftObserver;
import io.keel.broker.raft.RuntimeConfig;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.InitProducerIdRequest;
import io.keel.proto.InitProducerIdResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsPartitionResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.OffsetSpec;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client API of one node over the in-process gRPC transport, with a real RocksDB log store and
 * the real event-loop runtime hosting single-replica partition groups.
 */
class KeelClientServiceTest {
  private static final int MAX_REQUEST_BYTES = 4096;

  @TempDir Path dir;
  private LogStore store;
  private EventLoopRuntime runtime;
  private MetadataCache metadata;
  private PartitionManager partitions;
  private ScheduledExecutorService timer;
  private Server server;
  private ManagedChannel channel;
  private KeelClientGrpc.KeelClientBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    store = LogStore.open(LogStoreConfig.defaults(dir.resolve("data")));
    runtime =
        new EventLoopRuntime(
            new RuntimeConfig(1, 1, Duration.ofMillis(10), 10, 1, 1000),
            store,
            messages -> {},
            RaftObserver.NONE,
            Throwable::printStackTrace);
    timer = Executors.newSingleThreadScheduledExecutor();
    metadata = new MetadataCache();
    partitions =
        new PartitionManager(
            1,
            runtime,
            store::partitionLog,
            metadata,
            new SimpleMeterRegistry(),
            timer,
            PartitionManager.Settings.defaults(),
            InstantSource.system());
    partitions.start();
    MetadataImage image =
        MetadataImage.EMPTY
            .apply(new MetadataCommand.RegisterBroker(1, "localhost:9001", "localhost:9101"), 1)
            .apply(new MetadataCommand.RegisterBroker(2, "otherhost:9002", "otherhost:9102"), 2)
            .apply(new MetadataCommand.CreateTopic("orders", List.of(List.of(1)), Map.of()), 3)
            .apply(new MetadataCommand.CreateTopic("remote", List.of(List.of(2)), Map.of()), 4)
            .apply(
                new MetadataCommand.CreateTopic(
                    "small", List.of(List.of(1)), Map.of("max.message.bytes", "500")),
                5);
    long remoteGroup = image.topic("remote").map(t -> t.groupId(0)).orElseThrow();
    metadata.offer(image);
    metadata.mergePartitionLeaders(Map.of(remoteGroup, new PartitionLeader(2, 7)));
    KeelClientService service =
        new KeelClientService(
            1,
            "test-cluster",
            partitions,
            metadata,
            null,
            new ProducerIdAllocator(dir.resolve("producer-ids"), 1, 10),
            ApiSettings.defaults().withMaxRequestBytes(MAX_REQUEST_BYTES),
            timer,
            null,
            new PeerStubs());
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    client = KeelClientGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    awaitReadyLeader("orders", 0);
  }

  private void awaitReadyLeader(String topic, int partition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      var replica = partitions.replica(topic, partition);
      if (replica.isPresent() && replica.get().onLoop(sm -> sm.isLeaderReady()).join()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(topic + "-" + partition + " got no ready leader within 20 s");
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    partitions.close();
    runtime.close();
    metadata.close();
    timer.shutdownNow();
    store.close();
  }

  private static byte[] batch(long producerId, int baseSeq, int records, int valueBytes) {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    if (producerId >= 0) {
      b.producer(producerId, (short) 0, baseSeq);
    }
    for (int i = 0; i < records; i++) {
      b.append(1_000 + i, null, "x".repeat(valueBytes).getBytes(StandardCharsets.UTF_8));
    }
    return b.build();
  }

  private ProducePartitionResponse produce(String topic, int partition, byte[] batch) {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setAcks(-1)
            .addPartitions(
                ProducePartitionData.newBuilder()
                    .setTopic(topic)
                    .setPartition(partition)
                    .setRecordBatch(ByteString.copyFrom(batch)))
            .build();
    return client.produce(request).getPartitions(0);
  }

  private static void assertError(ErrorCode code, ErrorDetail error, String mention) {
    assertEquals(code, error.getCode(), error.getMessage());
    assertTrue(error.getMessage().contains(mention), error.getMessage());
  }

  private FetchPartitionResponse fetch(long offset, int maxWaitMs) {
    FetchRequest request =
        FetchRequest.newBuilder()
            .setMaxWaitMs(maxWaitMs)
            .setMinBytes(1)
            .addPartitions(
                FetchPartition.newBuilder()
                    .setTopic("orders")
                    .setPartition(0)
                    .setFetchOffset(offset))
            .build();
    FetchResponse response = client.fetch(request);
    return response.getPartitions(0);
  }

  @Test
  void producedBatchesAreFetchedWithTheirOffsetsAndRetriesAreNotStoredTwice() {
    InitProducerIdResponse pid =
        client.initProducerId(
            InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build());
    ProducePartitionResponse first = produce("orders", 0, batch(pid.getProducerId(), 0, 3, 10));
    assertEquals(ErrorCode.NONE, first.getError().getCode(), first.getError().getMessage());
    assertEquals(0, first.getBaseOffset());
    assertEquals(3, produce("orders", 0, batch(pid.getProducerId(), 3, 2, 10)).getBaseOffset());
    ProducePartitionResponse retry = produce("orders", 0, batch(pid.getProducerId(), 0, 3, 10));
    assertEquals(0, retry.getBaseOffset());

    FetchPartitionResponse fetched = fetch(0, 0);
    assertEquals(5, fetched.getHighWatermark());
    assertEquals(2, fetched.getRecordBatchesCount());
    RecordBatch second = RecordBatch.decode(fetched.getRecordBatches(1).toByteArray());
    assertEquals(3, second.baseOffset());
    assertEquals(5, offsetOf(OffsetSpec.Kind.LATEST));
    assertEquals(0, offsetOf(OffsetSpec.Kind.EARLIEST));
    // The first batch's records carry timestamps 1000, 1001, 1002.
    var byTime = offsetsAt(1_002);
    assertEquals(2, byTime.getOffset());
    assertEquals(1_002, byTime.getTimestampMs());
    assertEquals(-1, offsetsAt(5_000).getOffset());
  }

  private long offsetOf(OffsetSpec.Kind kind) {
    return listOffsets(OffsetSpec.newBuilder().setKind(kind).build()).getOffset();
  }

  private ListOffsetsPartitionResponse offsetsAt(long timestampMs) {
    return listOffsets(
        OffsetSpec.newBuilder()
            .setKind(OffsetSpec.Kind.BY_TIMESTAMP)
            .setTimestampMs(timestampMs)
            .build());
  }

  private ListOffsetsPartitionResponse listOffsets(OffsetSpec spec) {
    return client
        .listOffsets(
            ListOffsetsRequest.newBuilder()
                .addPartitions(ListOffsetsPartition.newBuilder().setTopic("orders").setSpec(spec))
                .build())
        .getPartitions(0);
  }

  @Test
  void oversizeBatchIsRecordTooLargeNamingTheLimit() {
    ProducePartitionResponse r = produce("orders", 0, batch(-1, 0, 10, 1000));
    assertError(ErrorCode.RECORD_TOO_LARGE, r.getError(), "max.request.bytes (4096 bytes)");
    assertEquals(-1, r.getBaseOffset());
  }

  @Test
  void topicMaxMessageBytesTightensTheLimit() {
    ProducePartitionResponse r = produce("small", 0, batch(-1, 0, 10, 100));
    assertError(
        ErrorCode.RECORD_TOO_LARGE, r.getError(), "topic small max.message.bytes (500 bytes)");
  }

  @Test
  void batchWithBadCrcIsCorruptAndNothingIsStored() {
    byte[] bytes = batch(-1, 0, 2, 10);
    bytes[bytes.length - 1] ^= 0x5a;
    assertError(ErrorCode.CORRUPT_BATCH, produce("orders", 0, bytes).getError(), "crc");
    assertEquals(0, offsetOf(OffsetSpec.Kind.LATEST));
  }

  @Test
  void unknownTopicOrPartitionIsNamed() {
    assertError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        produce("nope", 0, batch(-1, 0, 1, 1)).getError(),
        "topic 'nope' does not exist");
    assertError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        produce("orders", 3, batch(-1, 0, 1, 1)).getError(),
        "partition 3 does not exist");
  }

  @Test
  void partitionLedElsewhereIsNotLeaderWithTheLeadersAddress() {
    ErrorDetail error = produce("remote", 0, batch(-1, 0, 1, 1)).getError();
    assertError(ErrorCode.NOT_LEADER, error, "node 2");
    assertEquals(2, error.getLeader().getLeaderId());
    assertEquals("otherhost", error.getLeader().getHost());
    assertEquals(9002, error.getLeader().getPort());
    assertEquals(7, error.getLeader().getLeaderEpoch());
  }

  @Test
  void longPollFetchReturnsAsSoonAsDataIsCommitted() throws Exception {
    assertEquals(0, produce("orders", 0, batch(-1, 0, 1, 1)).getBaseOffset());
    var async = KeelClientGrpc.newFutureStub(channel);
    var pending =
        async.fetch(
            FetchRequest.newBuilder()
                .setMaxWaitMs(25_000)
                .setMinBytes(1)
                .addPartitions(
                    FetchPartition.newBuilder()
                        .setTopic("orders")
                        .setPartition(0)
                        .setFetchOffset(1))
                .build());
    assertFalse(pending.isDone());
    produce("orders", 0, batch(-1, 0, 2, 1));
    FetchPartitionResponse r = pending.get(20, TimeUnit.SECONDS).getPartitions(0);
    assertEquals(3, r.getHighWatermark());
    assertEquals(1, RecordBatch.decode(r.getRecordBatches(0).toByteArray()).baseOffset());
  }

  @Test
  void fetchBeyondHighWatermarkIsOutOfRange() {
    produce("orders", 0, batch(-1, 0, 1, 1));
    assertError(ErrorCode.OFFSET_OUT_OF_RANGE, fetch(5, 0).getError(), "high watermark 1");
  }

  @Test
  void producerIdsAreUniqueAndEpochBumpKeepsTheId() {
    long a =
        client
            .initProducerId(
                InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build())
            .getProducerId();
    long b =
        client
            .initProducerId(
                InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build())
            .getProducerId();
    assertNotEquals(a, b);
    assertEquals(1L, a >>> 48);
    InitProducerIdResponse bumped =
        client.initProducerId(
            InitProducerIdRequest.newBuilder().setProducerId(a).setProducerEpoch(0).build());
    assertEquals(a, bumped.getProducerId());
    assertEquals(1, bumped.getProducerEpoch());
  }
}
