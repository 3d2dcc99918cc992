package io.keel.client.internal.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.GroupDescription;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.NewTopic;
import io.keel.client.OffsetAndMetadata;
import io.keel.client.OffsetResetSpec;
import io.keel.client.ProducerRecord;
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumer groups end to end on a real three-node cluster: KeelConsumers heartbeating to the
 * coordinator, cooperative rebalances, member departures (clean and crashed) and a coordinator
 * crash while members consume and commit.
 */
class ConsumerGroupClusterTest {
  private static final Map<String, String> SETTINGS =
      Map.of(
          "offsets.topic.partitions", "3",
          "group.session.timeout.ms", "2000",
          "group.heartbeat.interval.ms", "100");
  private static final int PER_PARTITION = 50;

  private TestCluster cluster;

  @BeforeEach
  void setUp() {
    cluster = TestCluster.start(3, SETTINGS);
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private KeelAdmin admin() {
    return new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build());
  }

  /** Creates the topic and writes PER_PARTITION records "p:i" to each partition. */
  private void createAndFill(String topic, int partitions) {
    try (KeelAdmin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, 3))).all().join();
    }
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(cluster.bootstrap()).lingerMs(2).build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer())) {
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < PER_PARTITION; i++) {
          sends.add(producer.send(new ProducerRecord<>(topic, p, "k", p + ":" + i)));
        }
      }
      sends.forEach(CompletableFuture::join);
    }
  }

  private KeelConsumer<String, String> consumer(String group, boolean autoCommit, int maxPoll) {
    return new KeelConsumer<>(
        KeelConsumerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .groupId(group)
            .autoOffsetReset(AutoOffsetReset.EARLIEST)
            .enableAutoCommit(autoCommit)
            .autoCommitIntervalMs(200)
            .maxPollRecords(maxPoll)
            .fetchMaxWaitMs(50)
            .requestTimeoutMs(10_000)
            .retryBackoffMs(50)
            .build(),
        Serdes.stringDeserializer(),
        Serdes.stringDeserializer());
  }

  /** Every (partition, offset) consumed, with how many times. */
  private static final class Seen {
    final Map<TopicPartition, Map<Long, Integer>> counts = new HashMap<>();

    void add(ConsumerRecord<String, String> r) {
      counts
          .computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>())
          .merge(r.offset(), 1, Integer::sum);
    }

    int distinct() {
      return counts.values().stream().mapToInt(Map::size).sum();
    }

    int total() {
      return counts.values().stream().flatMap(m -> m.values().stream()).mapToInt(i -> i).sum();
    }

    /** Every offset below PER_PARTITION of every partition was seen. */
    void assertComplete(String topic, int partitions) {
      for (int p = 0; p < partitions; p++) {
        Map<Long, Integer> got = counts.getOrDefault(new TopicPartition(topic, p), Map.of());
        for (long o = 0; o < PER_PARTITION; o++) {
          assertTrue(got.containsKey(o), topic + "-" + p + " offset " + o + " was skipped");
        }
      }
    }
  }

  private static void assertDisjoint(List<KeelConsumer<String, String>> consumers) {
    Set<TopicPartition> seen = new HashSet<>();
    for (KeelConsumer<String, String> c : consumers) {
      for (TopicPartition tp : c.assignment()) {
        assertTrue(seen.add(tp), tp + " is assigned to two consumers at once");
      }
    }
  }

  /** Polls every consumer round-robin until {@code done}, checking ownership after each poll. */
  private static void pollUntil(
      List<KeelConsumer<String, String>> consumers,
      Seen seen,
      java.util.function.BooleanSupplier done,
      java.util.function.Supplier<String> state) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out; " + state.get());
      for (KeelConsumer<String, String> c : consumers) {
        c.poll(Duration.ofMillis(20)).forEach(seen::add);
        assertDisjoint(consumers);
      }
    }
  }

  private static String assignments(List<KeelConsumer<String, String>> consumers) {
    List<String> out = new ArrayList<>();
    consumers.forEach(
        c -> out.add(c.assignment().stream().map(Object::toString).sorted().toList().toString()));
    return String.join(" | ", out);
  }

  @Test
  void threeMembersSplitPartitionsAndSurviveACleanLeaveAndACrash() {
    createAndFill("events", 12);
    List<KeelConsumer<String, String>> live = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      live.add(consumer("g1", true, 100));
      live.get(i).subscribe(List.of("events"));
    }
    Seen seen = new Seen();
    pollUntil(
        live,
        seen,
        () -> live.stream().allMatch(c -> c.assignment().size() == 4) && seen.distinct() == 600,
        () -> assignments(live) + " seen " + seen.distinct());

    try (KeelAdmin admin = admin()) {
      GroupDescription d = admin.describeGroup("g1").join();
      assertEquals(3, d.members().size());
      Set<TopicPartition> owned = new HashSet<>();
      d.members().forEach(m -> owned.addAll(m.assignment()));
      assertEquals(12, owned.size());
    }

    // One member leaves cleanly; another "crashes": it stops polling and heartbeating, so its
    // session expires (simulated by closing its connections without leaving the group).
    KeelConsumer<String, String> leaving = live.remove(0);
    leaving.close();
    KeelConsumer<String, String> crashed = live.remove(0);
    Set<TopicPartition> crashedPartitions = Set.copyOf(crashed.assignment());
    crash(crashed);
    createMore("events", 12);
    pollUntil(
        live,
        seen,
        () -> live.get(0).assignment().size() == 12 && seen.distinct() == 1200,
        () -> assignments(live) + " seen " + seen.distinct());
    assertTrue(crashedPartitions.size() == 4);
    seen.assertComplete("events", 12);
    // Re-delivery is bounded: at most what a member had processed but not yet committed.
    // Auto-commit commits on revoke and close, so only the crashed member's records since its last
    // auto-commit can come again.
    int duplicates = seen.total() - seen.distinct();
    assertTrue(duplicates <= 4 * PER_PARTITION, "duplicates " + duplicates);
    live.get(0).close();
    // The zombie wakes up: its final auto-commit is rejected (it is no longer a member), so the
    // offsets its partitions' new owner committed stay.
    Map<TopicPartition, OffsetAndMetadata> before;
    try (KeelConsumer<String, String> reader = consumer("g1", false, 1)) {
      before = reader.committed(crashedPartitions);
      crashed.close();
      assertEquals(before, reader.committed(crashedPartitions));
    }
    before.values().forEach(o -> assertEquals(2L * PER_PARTITION, o.offset()));

    // Now empty: an admin can list, rewind and delete the group.
    try (KeelAdmin admin = admin()) {
      assertTrue(admin.listGroups().join().stream().anyMatch(g -> g.groupId().equals("g1")));
      Map<TopicPartition, Long> rewound =
          admin.resetOffsets("g1", "events", new OffsetResetSpec.Earliest(), false).join();
      assertEquals(12, rewound.size());
      rewound.values().forEach(o -> assertEquals(0L, o));
      admin.deleteGroup("g1").join();
      assertTrue(admin.listGroups().join().stream().noneMatch(g -> g.groupId().equals("g1")));
    }
  }

  /**
   * Simulates a crashed consumer process: its heartbeat thread stops without leaving the group and
   * the test stops polling it, so the coordinator only learns of it through the session timeout.
   */
  private static void crash(KeelConsumer<String, String> consumer) {
    try {
      var membershipField = KeelConsumer.class.getDeclaredField("membership");
      membershipField.setAccessible(true);
      var member = (ConsumerGroupMember) membershipField.get(consumer);
      var stateField = ConsumerGroupMember.class.getDeclaredField("state");
      stateField.setAccessible(true);
      ((MemberState) stateField.get(member)).stop();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private void createMore(String topic, int partitions) {
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(cluster.bootstrap()).lingerMs(2).build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer())) {
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        for (int i = 0; i < PER_PARTITION; i++) {
          sends.add(producer.send(new ProducerRecord<>(topic, p, "k", p + ":more" + i)));
        }
      }
      sends.forEach(CompletableFuture::join);
    }
  }

  @Test
  void groupSurvivesCoordinatorCrashWithoutLosingCommits() {
    createAndFill("orders", 6);
    List<KeelConsumer<String, String>> members =
        List.of(consumer("g2", false, 10), consumer("g2", false, 10));
    members.forEach(c -> c.subscribe(List.of("orders")));
    Seen seen = new Seen();
    Map<TopicPartition, Long> acked = new HashMap<>();
    int[] uncommitted = new int[1]; // records whose commit failed: the only ones to come again
    Runnable round =
        () -> {
          for (KeelConsumer<String, String> c : members) {
            var records = c.poll(Duration.ofMillis(20));
            records.forEach(seen::add);
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            records.forEach(
                r ->
                    commit.put(
                        new TopicPartition(r.topic(), r.partition()),
                        new OffsetAndMetadata(r.offset() + 1)));
            if (!commit.isEmpty()) {
              try {
                c.commitSync(commit, Duration.ofSeconds(30));
                commit.forEach((tp, om) -> acked.merge(tp, om.offset(), Math::max));
              } catch (io.keel.client.KeelException e) {
                uncommitted[0] += records.count(); // may be re-delivered
              }
            }
            assertDisjoint(members);
          }
        };
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen.distinct() < 120) {
      assertTrue(System.nanoTime() < deadline, "slow start: " + seen.distinct());
      round.run();
    }
    int coordinator;
    try (KeelAdmin admin = admin()) {
      coordinator = admin.describeGroup("g2").join().coordinator().id();
    }
    cluster.stopNode(coordinator);
    while (seen.distinct() < 300) {
      assertTrue(System.nanoTime() < deadline, "stalled after failover: " + seen.distinct());
      round.run();
    }
    seen.assertComplete("orders", 6);
    int duplicates = seen.total() - seen.distinct();
    assertTrue(
        duplicates <= uncommitted[0],
        duplicates + " re-delivered, " + uncommitted[0] + " uncommitted");
    Set<TopicPartition> all = new HashSet<>();
    for (int p = 0; p < 6; p++) {
      all.add(new TopicPartition("orders", p));
    }
    Map<TopicPartition, OffsetAndMetadata> committed = members.get(0).committed(all);
    acked.forEach(
        (tp, offset) ->
            assertTrue(
                committed.get(tp).offset() >= offset,
                tp + ": acknowledged commit " + offset + " went back to " + committed.get(tp)));
    members.forEach(KeelConsumer::close);
  }
}
