package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.internal.Partitioner;
import io.keel.client.testing.FakeKeelCluster;
import io.keel.client.testing.FakeKeelCluster.ProduceFault;
import io.keel.proto.records.Record;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KeelProducerTest {
  private FakeKeelCluster cluster;
  private final List<KeelProducer<?, ?>> producers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster = FakeKeelCluster.start(3);
    cluster.createTopic("t", 3);
  }

  @AfterEach
  void tearDown() throws Exception {
    producers.forEach(p -> p.close(Duration.ofSeconds(5)));
    cluster.close();
  }

  private KeelProducer<String, String> producer(Consumer<KeelProducerConfig.Builder> customize) {
    KeelProducerConfig.Builder b =
        KeelProducerConfig.builder().bootstrap(cluster.bootstrap()).retryBackoffMs(10);
    customize.accept(b);
    KeelProducer<String, String> p =
        new KeelProducer<>(
            b.build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer(),
            cluster.channelFactory());
    producers.add(p);
    return p;
  }

  private static RecordMetadata await(CompletableFuture<RecordMetadata> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static List<String> values(List<Record> records) {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void recordsSentBeforeFlushShareOneBatch() throws Exception {
    var producer = producer(b -> b.lingerMs(60_000));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(producer.send(new ProducerRecord<>("t", 0, null, "v" + i)));
    }
    assertFalse(futures.get(0).isDone(), "linger.ms=60s: nothing is sent before flush");
    producer.flush();
    for (int i = 0; i < 10; i++) {
      RecordMetadata md = futures.get(i).getNow(null);
      assertEquals(i, md.offset());
      assertEquals(new TopicPartition("t", 0), md.partition());
    }
    assertEquals(1, cluster.batchCount("t", 0));
    assertEquals(1, cluster.produceRequests());
  }

  @Test
  void fullBatchIsSentWithoutWaitingForLinger() throws Exception {
    var producer = producer(b -> b.lingerMs(60_000).batchSizeBytes(300));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      futures.add(producer.send(new ProducerRecord<>("t", 0, null, "value-" + "x".repeat(40))));
    }
    assertEquals(0, await(futures.get(0)).offset(), "the first, full batch went without flush");
    producer.flush();
    assertTrue(cluster.batchCount("t", 0) > 1, "batch.size=300 splits 20 records");
    assertEquals(20, cluster.records("t", 0).size());
  }

  @Test
  void lingerExpirySendsAPartialBatch() throws Exception {
    var producer = producer(b -> b.lingerMs(20));
    assertEquals(0, await(producer.send(new ProducerRecord<>("t", 1, null, "a"))).offset());
  }

  @Test
  void keyedRecordsUseKafkasMurmur2Partitioning() throws Exception {
    cluster.createTopic("k", 7);
    var producer = producer(b -> b.lingerMs(0));
    for (String key : List.of("21", "foobar", "a-little-bit-long-string", "abc")) {
      RecordMetadata md = await(producer.send(new ProducerRecord<>("k", key, "v")));
      int expected =
          Partitioner.forKey(
              key.getBytes(StandardCharsets.UTF_8), 7); // checked against Kafka below
      assertEquals(expected, md.partition().partition(), key);
    }
    // Kafka's murmur2("foobar") = -790332482 -> toPositive = 1357151166 -> % 7 = 1357151166 % 7.
    assertEquals(1357151166 % 7, Partitioner.forKey("foobar".getBytes(StandardCharsets.UTF_8), 7));
  }

  @Test
  void keylessRecordsStickToOnePartitionUntilTheBatchFills() throws Exception {
    var producer = producer(b -> b.lingerMs(60_000));
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(producer.send(new ProducerRecord<>("t", null, "v" + i)));
    }
    producer.flush();
    int partition = futures.get(0).get().partition().partition();
    for (CompletableFuture<RecordMetadata> f : futures) {
      assertEquals(partition, f.get().partition().partition());
    }
  }

  @Test
  void lostResponseIsRetriedAndDeduplicatedByTheBroker() throws Exception {
    var producer = producer(b -> b.lingerMs(0));
    cluster.injectProduceFault("t", 0, ProduceFault.LOSE_RESPONSE);
    RecordMetadata md = await(producer.send(new ProducerRecord<>("t", 0, null, "once")));
    assertEquals(0, md.offset(), "the duplicate's answer carries the original offset");
    assertEquals(List.of("once"), values(cluster.records("t", 0)));
  }

  @Test
  void leaderChangeMidStreamKeepsEveryRecordOnceAndInOrder() throws Exception {
    var producer = producer(b -> b.lingerMs(0).batchSizeBytes(100));
    cluster.injectProduceFault(
        "t", 0, ProduceFault.LOSE_RESPONSE, ProduceFault.TIMEOUT, ProduceFault.LOSE_RESPONSE);
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (i == 100) {
        cluster.moveLeader("t", 0, 2);
        cluster.injectProduceFault("t", 0, ProduceFault.LOSE_RESPONSE);
      }
      sent.add("r" + i);
      futures.add(producer.send(new ProducerRecord<>("t", 0, null, "r" + i)));
    }
    for (int i = 0; i < futures.size(); i++) {
      assertEquals(i, await(futures.get(i)).offset(), "record " + i);
    }
    assertEquals(sent, values(cluster.records("t", 0)));
    assertEquals(2, cluster.leaderOf("t", 0));
  }

  @Test
  void withoutIdempotenceALostResponseDuplicatesButLosesNothing() throws Exception {
    var producer = producer(b -> b.lingerMs(0).idempotence(false));
    cluster.injectProduceFault("t", 0, ProduceFault.LOSE_RESPONSE);
    await(producer.send(new ProducerRecord<>("t", 0, null, "dup")));
    assertEquals(List.of("dup", "dup"), values(cluster.records("t", 0)));
  }

  @Test
  void fullBufferFailsSendAfterMaxBlockMs() throws Exception {
    var producer = producer(b -> b.lingerMs(0).bufferMemoryBytes(2_000).maxBlockMs(100));
    producer.send(new ProducerRecord<>("t", 0, null, "warm-up")).get(10, TimeUnit.SECONDS);
    cluster.blockProduce(true);
    CompletableFuture<RecordMetadata> failed = null;
    for (int i = 0; i < 100 && failed == null; i++) {
      var f = producer.send(new ProducerRecord<>("t", 0, null, "x".repeat(100)));
      if (f.isCompletedExceptionally()) {
        failed = f;
      }
    }
    assertTrue(failed != null, "buffer.memory=2000 fills within 100 records of 100 bytes");
    ExecutionException e = assertThrows(ExecutionException.class, failed::get);
    assertInstanceOf(BufferExhaustedException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("buffer.memory=2000"), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().contains("max.block.ms=100"), e.getCause().getMessage());
    cluster.blockProduce(false);
  }

  @Test
  void recordLargerThanMaxRequestSizeFailsAtOnce() {
    var producer = producer(b -> b.maxRequestSizeBytes(1_000));
    var f = producer.send(new ProducerRecord<>("t", 0, null, "x".repeat(2_000)));
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(RecordTooLargeException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("max.request.size=1000"));
  }

  @Test
  void unknownTopicFailsWithATypedErrorAfterMaxBlockMs() {
    var producer = producer(b -> b.maxBlockMs(300));
    var f = producer.send(new ProducerRecord<>("nope", null, "v"));
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(UnknownTopicException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("max.block.ms=300"), e.getCause().getMessage());
  }

  @Test
  @Timeout(20)
  void unknownTopicFailsFastOnceTheClusterSaysItDoesNotExist() {
    var producer = producer(b -> b.unknownTopicTimeoutMs(200));
    var first = producer.send(new ProducerRecord<>("nope", null, "v"));
    ExecutionException e = assertThrows(ExecutionException.class, first::get);
    assertInstanceOf(UnknownTopicException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("'nope' does not exist"), e.getMessage());
    // The next send to the same missing topic checks once (one refresh asks each of the 3 nodes in
    // parallel) and fails without waiting again. A refresh completes with its first answer, so up
    // to 2 requests of the first send's last refresh may still arrive after this count: at most 5
    // for one refresh, at least 6 for two.
    int requestsBefore = cluster.metadataRequests();
    var second = producer.send(new ProducerRecord<>("nope", null, "v"));
    assertInstanceOf(
        UnknownTopicException.class, assertThrows(Exception.class, second::get).getCause());
    int asked = cluster.metadataRequests() - requestsBefore;
    assertTrue(asked >= 1 && asked <= 5, "one metadata refresh, asked " + asked);
  }

  @Test
  void topicCreatedWhileSendWaitsIsFound() throws Exception {
    var producer = producer(b -> b.maxBlockMs(30_000).unknownTopicTimeoutMs(30_000));
    // send() blocks while it waits for the topic's metadata, so it runs on another thread.
    var f =
        CompletableFuture.supplyAsync(() -> producer.send(new ProducerRecord<>("late", null, "v")));
    while (cluster.metadataRequests() < 3) {
      Thread.onSpinWait();
    }
    cluster.createTopic("late", 1);
    assertEquals(0, await(f.get(30, TimeUnit.SECONDS)).offset());
  }

  @Test
  void acksZeroReportsNoOffset() throws Exception {
    var producer = producer(b -> b.acks(Acks.NONE).lingerMs(0));
    assertEquals(-1, await(producer.send(new ProducerRecord<>("t", 0, null, "v"))).offset());
  }

  @Test
  void everyCompressionTypeRoundTrips() throws Exception {
    int partition = 0;
    for (CompressionType type : CompressionType.values()) {
      var producer = producer(b -> b.compression(type).lingerMs(0));
      String value = type + "-" + "payload ".repeat(50);
      await(producer.send(new ProducerRecord<>("t", partition, "k", value)));
      List<Record> records = cluster.records("t", partition);
      assertEquals(value, values(records).get(records.size() - 1));
    }
  }

  @Test
  void expiredBatchFailsAndThePartitionContinuesUnderAFreshProducerId() throws Exception {
    var producer = producer(b -> b.lingerMs(0).requestTimeoutMs(100).deliveryTimeoutMs(400));
    await(producer.send(new ProducerRecord<>("t", 0, null, "first")));
    ProduceFault[] timeouts = new ProduceFault[1_000];
    java.util.Arrays.fill(timeouts, ProduceFault.TIMEOUT);
    cluster.injectProduceFault("t", 0, timeouts);
    var expired = producer.send(new ProducerRecord<>("t", 0, null, "expires"));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> expired.get(30, TimeUnit.SECONDS));
    assertInstanceOf(KeelTimeoutException.class, e.getCause());
    assertTrue(
        e.getCause().getMessage().contains("delivery.timeout.ms=400"), e.getCause().getMessage());
    cluster.clearProduceFaults();
    assertEquals(1, await(producer.send(new ProducerRecord<>("t", 0, null, "after"))).offset());
    assertEquals(List.of("first", "after"), values(cluster.records("t", 0)));
    assertEquals(2, cluster.producerIds("t", 0).size(), "sequence gap avoided with a new id");
  }

  @Test
  void withoutAProducerIdSendsStillFailAtTheDeliveryTimeout() throws Exception {
    cluster.refuseProducerIds(true);
    var producer = producer(b -> b.lingerMs(0).requestTimeoutMs(100).deliveryTimeoutMs(300));
    var f = producer.send(new ProducerRecord<>("t", 0, null, "v"));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
    assertInstanceOf(KeelTimeoutException.class, e.getCause());
    cluster.refuseProducerIds(false);
    assertEquals(0, await(producer.send(new ProducerRecord<>("t", 0, null, "w"))).offset());
  }

  @Test
  void concurrentSendersKeepEachThreadsOrderWithinAPartition() throws Exception {
    var producer = producer(b -> b.lingerMs(1).batchSizeBytes(500));
    int threads = 4;
    int perThread = 300;
    List<Thread> senders = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> futures =
        java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      String name = "s" + t;
      senders.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      futures.add(
                          producer.send(
                              new ProducerRecord<>("t", 1, null, name + ":" + (1000 + i))));
                    }
                  }));
    }
    for (Thread t : senders) {
      t.join();
    }
    producer.flush();
    for (CompletableFuture<RecordMetadata> f : futures) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally());
    }
    List<String> log = values(cluster.records("t", 1));
    assertEquals(threads * perThread, log.size());
    for (int t = 0; t < threads; t++) {
      String prefix = "s" + t + ":";
      List<String> mine = log.stream().filter(v -> v.startsWith(prefix)).toList();
      assertEquals(perThread, mine.size());
      assertEquals(mine.stream().sorted().toList(), mine, "thread " + t + " order");
    }
  }

  @Test
  void closeFlushesAndRejectsLaterSends() throws Exception {
    var producer = producer(b -> b.lingerMs(60_000));
    var f = producer.send(new ProducerRecord<>("t", 2, null, "last"));
    producer.close(Duration.ofSeconds(10));
    assertEquals(0, f.getNow(null).offset());
    assertThrows(
        IllegalStateException.class, () -> producer.send(new ProducerRecord<>("t", null, "v")));
  }
}
