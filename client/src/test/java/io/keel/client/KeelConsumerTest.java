package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.internal.ChannelFactory;
import io.keel.client.testing.FakeKeelCluster;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.RecordBatchBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeelConsumerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private FakeKeelCluster cluster;
  private ChannelFactory channels;
  private final List<KeelConsumer<String, String>> consumers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    cluster = FakeKeelCluster.start(3);
    cluster.createTopic("t", 2);
    channels = cluster.channelFactory();
  }

  /**
   * Moves the test to a cluster on loopback sockets: responses then cross gRPC's Netty transport.
   */
  private void onSockets() throws IOException {
    cluster.close();
    cluster = FakeKeelCluster.startOnSockets(3);
    cluster.createTopic("t", 2);
    channels = ChannelFactory.netty();
  }

  @AfterEach
  void tearDown() throws Exception {
    consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
    cluster.close();
  }

  private KeelConsumer<String, String> consumer(Consumer<KeelConsumerConfig.Builder> customize) {
    KeelConsumerConfig.Builder b =
        KeelConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .autoOffsetReset(AutoOffsetReset.EARLIEST)
            .fetchMaxWaitMs(100)
            .retryBackoffMs(10);
    customize.accept(b);
    var c =
        new KeelConsumer<>(
            b.build(), Serdes.stringDeserializer(), Serdes.stringDeserializer(), channels);
    consumers.add(c);
    return c;
  }

  /** Appends one batch of {@code values} to partition {@code p} of topic t. */
  private void append(int p, String... values) {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    for (String v : values) {
      b.append(1_000L, null, v.getBytes(StandardCharsets.UTF_8));
    }
    cluster.append("t", p, b.build());
  }

  private static List<String> range(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  /** Polls until {@code count} records arrived or 10 s passed. */
  private static List<ConsumerRecord<String, String>> pollUntil(
      KeelConsumer<String, String> c, int count) {
    List<ConsumerRecord<String, String>> all = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (all.size() < count && System.nanoTime() < deadline) {
      c.poll(Duration.ofMillis(100)).forEach(all::add);
    }
    return all;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.onSpinWait();
    }
  }

  private static List<String> values(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  @Test
  void pollReturnsRecordsInOffsetOrderBoundedByMaxPollRecords() {
    append(0, range("a", 0, 10).toArray(String[]::new));
    append(0, range("a", 10, 25).toArray(String[]::new));
    var c = consumer(b -> b.maxPollRecords(10));
    c.assign(List.of(P0));
    List<Integer> sizes = new ArrayList<>();
    List<ConsumerRecord<String, String>> all = new ArrayList<>();
    while (all.size() < 25) {
      ConsumerRecords<String, String> records = c.poll(Duration.ofSeconds(5));
      assertTrue(records.count() > 0, "records arrive within 5 s");
      sizes.add(records.count());
      records.forEach(all::add);
    }
    assertTrue(sizes.stream().allMatch(n -> n <= 10), "max.poll.records=10: " + sizes);
    assertEquals(range("a", 0, 25), values(all));
    for (int i = 0; i < 25; i++) {
      assertEquals(i, all.get(i).offset());
    }
    assertEquals(25, c.position(P0));
  }

  @Test
  void seekMovesThePositionAndDropsPrefetchedRecords() {
    append(0, range("v", 0, 20).toArray(String[]::new));
    var c = consumer(b -> b.maxPollRecords(5));
    c.assign(List.of(P0));
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), values(pollUntil(c, 5)));
    c.seek(P0, 15);
    assertEquals(15, c.position(P0));
    assertEquals(range("v", 15, 20), values(pollUntil(c, 5)));
    c.seekToBeginning(List.of(P0));
    assertEquals(0, c.position(P0));
    c.seekToEnd(List.of(P0));
    assertEquals(20, c.position(P0));
  }

  @Test
  void pausedPartitionsAreNotReturnedUntilResumed() {
    append(0, "p0");
    append(1, "p1");
    var c = consumer(b -> {});
    c.assign(List.of(P0, P1));
    c.pause(List.of(P0));
    assertEquals(Set.of(P0), c.paused());
    assertEquals(List.of("p1"), values(pollUntil(c, 1)));
    assertTrue(c.poll(Duration.ofMillis(200)).isEmpty(), "p0 stays paused");
    c.resume(List.of(P0));
    assertEquals(List.of("p0"), values(pollUntil(c, 1)));
  }

  @Test
  void nextFetchIsInFlightWhileTheApplicationProcesses() {
    append(0, "first");
    var c = consumer(b -> b.fetchMaxWaitMs(5_000));
    c.assign(List.of(P0));
    assertEquals(List.of("first"), values(pollUntil(c, 1)));
    // No poll() is running, yet the next fetch is already waiting at the leader.
    await(() -> cluster.parkedFetches() == 1, "a pipelined fetch after poll returned");
    append(0, "second");
    long start = System.nanoTime();
    assertEquals(List.of("second"), values(pollUntil(c, 1)));
    assertTrue(
        System.nanoTime() - start < Duration.ofMillis(4_000).toNanos(),
        "answered by the parked fetch, not a new one after fetch.max.wait.ms=5000");
  }

  @Test
  void aLongPollForACaughtUpPartitionDoesNotHoldBackItsNodesOtherPartitions() {
    cluster.moveLeader("t", 1, cluster.leaderOf("t", 0)); // one node leads both
    for (int batch = 0; batch < 4; batch++) {
      append(0, range("b" + batch + "-", 0, 10).toArray(String[]::new));
    }
    // One batch per fetch and 3 records per poll: p0 needs several fetches while p1 (empty)
    // long-polls for fetch.max.wait.ms.
    var c = consumer(b -> b.fetchMaxWaitMs(5_000).maxPartitionFetchBytes(1).maxPollRecords(3));
    c.assign(List.of(P0, P1));
    long start = System.nanoTime();
    List<ConsumerRecord<String, String>> all = pollUntil(c, 40);
    assertEquals(40, all.size(), "every record of p0 arrives");
    assertTrue(
        System.nanoTime() - start < Duration.ofMillis(4_000).toNanos(),
        "p0 was not fetched behind p1's long poll (fetch.max.wait.ms=5000)");
  }

  @Test
  void aSeekDoesNotWaitForTheLongPollAtTheOldPosition() {
    append(0, "a", "b", "c");
    var c = consumer(b -> b.fetchMaxWaitMs(5_000));
    c.assign(List.of(P0));
    assertEquals(List.of("a", "b", "c"), values(pollUntil(c, 3)));
    // Caught up: this poll leaves a fetch at offset 3 parked on the leader for 5 s.
    assertTrue(c.poll(Duration.ofMillis(200)).isEmpty());
    c.seek(P0, 0);
    long start = System.nanoTime();
    assertEquals(List.of("a", "b", "c"), values(pollUntil(c, 3)));
    assertTrue(
        System.nanoTime() - start < Duration.ofMillis(3_000).toNanos(),
        "the fetch at the new position waited for the parked one (fetch.max.wait.ms=5000)");
  }

  @Test
  void prefetchedResponsesKeepOffsetOrderAcrossPollsAndSeeks() {
    for (int batch = 0; batch < 5; batch++) {
      append(0, range("v", batch * 10, batch * 10 + 10).toArray(String[]::new));
    }
    var c = consumer(b -> b.maxPartitionFetchBytes(1).maxPollRecords(7));
    c.assign(List.of(P0));
    List<ConsumerRecord<String, String>> first = pollUntil(c, 21);
    assertEquals(range("v", 0, first.size()), values(first));
    c.seek(P0, 5); // the prefetched responses after the position are stale now
    assertEquals(range("v", 5, 50), values(pollUntil(c, 45)));
    assertEquals(50, c.position(P0));
  }

  @Test
  void latestResetSkipsExistingRecords() {
    append(0, "old");
    var c = consumer(b -> b.autoOffsetReset(AutoOffsetReset.LATEST));
    c.assign(List.of(P0));
    assertEquals(1, c.position(P0));
    append(0, "new");
    assertEquals(List.of("new"), values(pollUntil(c, 1)));
  }

  @Test
  void resetNoneWithoutPositionThrowsTypedError() {
    var c = consumer(b -> b.autoOffsetReset(AutoOffsetReset.NONE));
    c.assign(List.of(P0));
    var e = assertThrows(OffsetOutOfRangeException.class, () -> c.poll(Duration.ofSeconds(1)));
    assertEquals(P0, e.partition());
    assertTrue(e.getMessage().contains("auto.offset.reset=none"), e.getMessage());
  }

  @Test
  void positionBelowLogStartResetsOrThrows() {
    append(0, "a", "b");
    append(0, "c", "d");
    cluster.truncateBefore("t", 0, 2);
    var earliest = consumer(b -> {});
    earliest.assign(List.of(P0));
    earliest.seek(P0, 0);
    assertEquals(List.of("c", "d"), values(pollUntil(earliest, 2)));

    var strict = consumer(b -> b.autoOffsetReset(AutoOffsetReset.NONE));
    strict.assign(List.of(P0));
    strict.seek(P0, 1);
    var e =
        assertThrows(
            OffsetOutOfRangeException.class,
            () -> {
              for (int i = 0; i < 50; i++) {
                strict.poll(Duration.ofMillis(100));
              }
            });
    assertEquals(1, e.offset());
  }

  @Test
  void leaderChangeIsFollowedTransparently() {
    append(0, range("x", 0, 5).toArray(String[]::new));
    var c = consumer(b -> {});
    c.assign(List.of(P0));
    assertEquals(range("x", 0, 5), values(pollUntil(c, 5)));
    cluster.moveLeader("t", 0, 3);
    append(0, range("x", 5, 10).toArray(String[]::new));
    assertEquals(range("x", 5, 10), values(pollUntil(c, 5)));
  }

  @Test
  void overSocketsResponsesOfManyReceiveBuffersDecodeIntact() throws Exception {
    onSockets();
    List<String> expected = new ArrayList<>();
    for (int batch = 0; batch < 6; batch++) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        values.add(batch + "-" + i + "-" + "v".repeat(1000));
      }
      append(0, values.toArray(String[]::new));
      expected.addAll(values);
    }
    var c = consumer(b -> b.maxPartitionFetchBytes(700_000)); // several fetches, each > 64 KiB
    c.assign(List.of(P0));
    assertEquals(expected, values(pollUntil(c, expected.size())));
  }

  @Test
  void overSocketsACorruptBatchIsRefetchedThenReported() throws Exception {
    onSockets();
    corruptBatchIsRefetchedThenReported();
  }

  @Test
  void corruptBatchIsRefetchedThenReported() {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    b.append(1L, null, "payload".getBytes(StandardCharsets.UTF_8));
    byte[] bytes = b.build();
    bytes[bytes.length - 2] ^= 0x5a; // inside the record: the CRC no longer matches
    cluster.append("t", 0, bytes);
    var c = consumer(x -> {});
    c.assign(List.of(P0));
    var e =
        assertThrows(
            KeelException.class,
            () -> {
              for (int i = 0; i < 100; i++) {
                c.poll(Duration.ofMillis(100));
              }
            });
    assertInstanceOf(CorruptRecordException.class, e);
    assertTrue(e.getMessage().contains("t-0"), e.getMessage());
    assertTrue(cluster.fetchRequests() >= 4, "refetched before giving up");
  }

  @Test
  void committedOffsetsAreWhereTheGroupResumes() {
    append(0, range("c", 0, 10).toArray(String[]::new));
    var first = consumer(b -> b.groupId("g").enableAutoCommit(false).maxPollRecords(4));
    first.assign(List.of(P0));
    assertEquals(range("c", 0, 4), values(pollUntil(first, 4)));
    first.commitSync();
    assertEquals(4L, cluster.committedOffset("g", "t", 0));
    assertEquals(Map.of(P0, new OffsetAndMetadata(4)), first.committed(Set.of(P0)));

    var second = consumer(b -> b.groupId("g").enableAutoCommit(false));
    second.assign(List.of(P0));
    assertEquals(range("c", 4, 10), values(pollUntil(second, 6)));
    second.commitAsync().join();
    assertEquals(10L, cluster.committedOffset("g", "t", 0));
  }

  @Test
  void commitSyncAfterAPartlyUsedPollCommitsEverythingThePollReturned() {
    append(0, range("u", 0, 10).toArray(String[]::new));
    var c = consumer(b -> b.groupId("partial").enableAutoCommit(false).maxPollRecords(10));
    c.assign(List.of(P0));
    ConsumerRecords<String, String> records = c.poll(Duration.ofSeconds(5));
    assertEquals(10, records.count());
    // The application handles only 3 of the 10 records, then commits without offsets: the
    // position (after the last record returned) is committed, not the last record handled.
    c.commitSync();
    assertEquals(10L, cluster.committedOffset("partial", "t", 0));
    // Committing what was handled takes explicit offsets: last handled offset + 1.
    c.commitSync(Map.of(P0, new OffsetAndMetadata(3)), Duration.ofSeconds(5));
    assertEquals(3L, cluster.committedOffset("partial", "t", 0));
  }

  @Test
  void subscribedConsumersSharePartitionsAndRebalanceWhenOneLeaves() {
    append(0, "a");
    append(1, "b");
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    ConsumerRebalanceListener listener =
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
            events.add("revoked " + partitions);
          }

          @Override
          public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
            events.add("assigned " + partitions);
          }
        };
    var first = consumer(b -> b.groupId("grp"));
    first.subscribe(List.of("t"), listener);
    assertEquals(List.of("a", "b"), values(pollUntil(first, 2)).stream().sorted().toList());
    assertEquals(Set.of(P0, P1), first.assignment());
    first.commitSync();

    var second = consumer(b -> b.groupId("grp"));
    second.subscribe(List.of("t"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (first.assignment().size() != 1 || second.assignment().size() != 1) {
      assertTrue(System.nanoTime() < deadline, "rebalanced to one partition each");
      first.poll(Duration.ofMillis(20));
      second.poll(Duration.ofMillis(20));
    }
    assertTrue(events.stream().anyMatch(e -> e.startsWith("revoked")), events.toString());
    append(0, "c");
    append(1, "d");
    List<String> seen = new ArrayList<>();
    deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (seen.size() < 2 && System.nanoTime() < deadline) {
      first.poll(Duration.ofMillis(20)).forEach(r -> seen.add(r.value()));
      second.poll(Duration.ofMillis(20)).forEach(r -> seen.add(r.value()));
    }
    assertEquals(List.of("c", "d"), seen.stream().sorted().toList(), "committed offsets resumed");
  }

  @Test
  void subscribeWithoutGroupIdIsRejected() {
    var c = consumer(b -> {});
    var e = assertThrows(InvalidConfigException.class, () -> c.subscribe(List.of("t")));
    assertTrue(e.getMessage().contains("group.id"), e.getMessage());
  }

  @Test
  void concurrentUseFromTwoThreadsIsDetected() throws Exception {
    // No records: the other thread's poll() waits its full 2 s, so it is seen waiting (with a
    // record it could return before this thread looked, and the await timed out).
    var c = consumer(b -> b.fetchMaxWaitMs(5_000));
    c.assign(List.of(P0));
    var inPoll = new java.util.concurrent.CountDownLatch(1);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  inPoll.countDown();
                  c.poll(Duration.ofSeconds(2));
                });
    inPoll.await();
    await(() -> t.getState() == Thread.State.TIMED_WAITING, "poll() waiting in the other thread");
    assertThrows(java.util.ConcurrentModificationException.class, () -> c.position(P0));
    t.join();
  }

  /**
   * With keel.deliver.at.gate a partition stops at its first record that is not due: the record
   * before it comes at once, it and the record after it only once its time has come, in order.
   * Without the gate (checked after) all three come at once.
   */
  @Test
  void theDeliverAtGateHoldsAPartitionAtItsFirstRecordThatIsNotDue() {
    long dueMs = System.currentTimeMillis() + 3_000;
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    b.append(1_000L, null, "now".getBytes(StandardCharsets.UTF_8));
    b.append(
        1_000L,
        null,
        "later".getBytes(StandardCharsets.UTF_8),
        List.of(
            new io.keel.proto.records.Header(
                "keel.deliver.at", Long.toString(dueMs).getBytes(StandardCharsets.UTF_8))));
    b.append(1_000L, null, "after".getBytes(StandardCharsets.UTF_8));
    cluster.append("t", 0, b.build());

    KeelConsumer<String, String> gated = consumer(c -> c.set("keel.deliver.at.gate", true));
    gated.assign(List.of(P0));
    List<String> order = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (order.size() < 3 && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> r : gated.poll(Duration.ofMillis(100))) {
        long atMs = System.currentTimeMillis();
        order.add(r.value());
        if (!r.value().equals("now")) {
          assertTrue(atMs >= dueMs, r.value() + " came " + (dueMs - atMs) + " ms before due");
        }
      }
    }
    assertEquals(List.of("now", "later", "after"), order);

    KeelConsumer<String, String> ungated = consumer(c -> {});
    ungated.assign(List.of(P0));
    assertEquals(List.of("now", "later", "after"), values(pollUntil(ungated, 3)));
  }
}
