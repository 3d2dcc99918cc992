package io.keel.client.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.NewTopic;
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import io.keel.client.examples.TaskQueueExample.Outcome;
import io.keel.client.share.ShareGroupDescription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The task-queue example end to end on a real three-node cluster, over sockets. */
@Timeout(180)
class TaskQueueExampleTest {
  private static final InstantSource CLOCK = InstantSource.system();
  private static final Duration BACKOFF = Duration.ofSeconds(1);
  private static final List<String> TYPES = List.of("email", "resize");

  private TestCluster cluster;

  @BeforeEach
  void setUp() {
    cluster =
        TestCluster.start(
            3,
            Map.of(
                "offsets.topic.partitions", "3",
                "group.session.timeout.ms", "5000",
                "group.heartbeat.interval.ms", "300",
                "share.delivery.count.limit", "3"));
    cluster.awaitReady(Duration.ofSeconds(60));
    try (KeelAdmin admin = admin()) {
      admin.createTopics(TYPES.stream().map(t -> new NewTopic(t, 2, 3)).toList()).all().join();
    }
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private KeelAdmin admin() {
    return new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build());
  }

  /** One run of a task: which attempt and delivery, by which worker, when. */
  private record Run(String id, int attempt, int deliveryCount, String worker, Instant at) {}

  @Test
  void workersDoTasksRetryWithBackoffDeadLetterAndRunScheduledOnesOnTime() throws Exception {
    List<Run> runs = new CopyOnWriteArrayList<>();
    TaskQueueExample.Handler handler =
        task -> {
          runs.add(
              new Run(
                  task.id(),
                  task.attempt(),
                  task.deliveryCount(),
                  Thread.currentThread().getName(),
                  CLOCK.instant()));
          return switch (task.id()) {
            case "flaky" ->
                task.attempt() < 3 ? new Outcome.RetryLater("busy") : new Outcome.Done();
            case "hopeless" -> new Outcome.RetryLater("still busy");
            case "bad-address" -> new Outcome.Failed("no such mailbox");
            case "poison" -> throw new IllegalStateException("crashes the handler");
            default -> new Outcome.Done();
          };
        };
    Set<String> plain = ConcurrentHashMap.newKeySet();
    Instant digestAt;
    try (TaskQueueExample queue =
        new TaskQueueExample(cluster.bootstrap(), "workers", CLOCK, BACKOFF, 4)) {
      queue.startWorkers(5, TYPES, handler); // 5 workers, 2 partitions per type
      digestAt = CLOCK.instant().plusSeconds(3);
      queue.schedule("email", "digest", "daily digest", digestAt);
      for (int i = 0; i < 30; i++) {
        String type = TYPES.get(i % 2);
        queue.submit(type, type + "-" + i, "payload " + i);
        plain.add(type + "-" + i);
      }
      queue.submit("resize", "flaky", "big.png");
      queue.submit("resize", "hopeless", "huge.png");
      queue.submit("resize", "poison", "broken.png");
      queue.submit("email", "bad-address", "to nobody");
      TestCluster.await(
          Duration.ofSeconds(90),
          () -> {
            Set<String> done = idsOf(runs);
            return done.containsAll(plain)
                && done.contains("digest")
                && attempts(runs, "flaky").size() == 3
                && attempts(runs, "hopeless").size() == 4;
          },
          () -> "runs so far: " + runs);
      List<ConsumerRecord<String, String>> resizeDead = readAll("resize.dlq", 2);
      List<ConsumerRecord<String, String>> emailDead = readAll("email.dlq", 1);
      Map<String, Map<String, String>> dead = new HashMap<>();
      for (ConsumerRecord<String, String> r : resizeDead) {
        dead.put(r.key(), headers(r));
      }
      for (ConsumerRecord<String, String> r : emailDead) {
        dead.put(r.key(), headers(r));
      }
      // The crashing handler: released each time, dead-lettered at the group's delivery limit.
      assertEquals("delivery limit", dead.get("poison").get("keel.dlq.reason"));
      assertEquals("3", dead.get("poison").get("keel.dlq.delivery.count"));
      assertEquals(
          List.of(1, 2, 3),
          runs.stream().filter(r -> r.id().equals("poison")).map(Run::deliveryCount).toList());
      // Out of attempts: the application rejects it; a permanent failure goes at once.
      assertEquals("rejected", dead.get("hopeless").get("keel.dlq.reason"));
      assertEquals("4", dead.get("hopeless").get(TaskQueueExample.ATTEMPT));
      assertEquals("rejected", dead.get("bad-address").get("keel.dlq.reason"));
      assertEquals("workers", dead.get("bad-address").get("keel.dlq.group"));
      assertEquals(Set.of("poison", "hopeless", "bad-address"), dead.keySet());

      awaitDrained();
    }
    // Each plain task ran once, unless the broker redelivered it (a worker's session expired on a
    // busy machine): at least once, never a duplicate of a first delivery. The work was shared.
    for (String id : plain) {
      List<Run> ran = runs.stream().filter(r -> r.id().equals(id)).toList();
      assertEquals(1, ran.stream().filter(r -> r.deliveryCount() == 1).count(), id + ": " + ran);
    }
    long workers = runs.stream().map(Run::worker).distinct().count();
    assertTrue(workers >= 2, "all tasks went to one worker: " + runs);
    // Backoff: attempt n+1 is not delivered before attempt n ran plus 1 s * 2^(n-1).
    List<Run> flaky = attempts(runs, "flaky");
    assertEquals(List.of(1, 2, 3), flaky.stream().map(Run::attempt).toList());
    for (int n = 1; n < flaky.size(); n++) {
      Duration gap = Duration.between(flaky.get(n - 1).at(), flaky.get(n).at());
      Duration backoff = BACKOFF.multipliedBy(1L << (n - 1));
      assertFalse(gap.compareTo(backoff) < 0, "attempt " + (n + 1) + " after " + gap);
    }
    // Scheduled: not run before its deliver-at time.
    Run digest = runs.stream().filter(r -> r.id().equals("digest")).findFirst().orElseThrow();
    assertFalse(digest.at().isBefore(digestAt), digest + " before " + digestAt);
  }

  /** The group's describe: every partition done (lag 0) and the dead letters counted per type. */
  private void awaitDrained() {
    try (KeelAdmin admin = admin()) {
      Map<String, Long> deadLettered = new HashMap<>();
      TestCluster.await(
          Duration.ofSeconds(30),
          () -> {
            ShareGroupDescription d = admin.describeShareGroup("workers").join();
            deadLettered.clear();
            d.partitions()
                .forEach(
                    p -> deadLettered.merge(p.partition().topic(), p.deadLettered(), Long::sum));
            return d.partitions().size() == 4
                && d.partitions().stream()
                    .allMatch(p -> p.lag() == 0 && p.inFlight() == 0 && p.delayed() == 0)
                && d.members().size() == 5;
          },
          () -> admin.describeShareGroup("workers").join().toString());
      assertEquals(Map.of("email", 1L, "resize", 2L), deadLettered);
    }
  }

  private static Set<String> idsOf(List<Run> runs) {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    runs.forEach(r -> ids.add(r.id()));
    return ids;
  }

  /** The first run of each attempt of a task (a redelivered attempt runs again). */
  private static List<Run> attempts(List<Run> runs, String id) {
    Map<Integer, Run> first = new java.util.TreeMap<>();
    runs.stream().filter(r -> r.id().equals(id)).forEach(r -> first.putIfAbsent(r.attempt(), r));
    return List.copyOf(first.values());
  }

  private static Map<String, String> headers(ConsumerRecord<?, ?> r) {
    Map<String, String> out = new HashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          got.clear();
          try (KeelConsumer<String, String> c =
              new KeelConsumer<>(
                  KeelConsumerConfig.builder()
                      .bootstrap(cluster.bootstrap())
                      .autoOffsetReset(AutoOffsetReset.EARLIEST)
                      .requestTimeoutMs(5000)
                      .build(),
                  Serdes.stringDeserializer(),
                  Serdes.stringDeserializer())) {
            c.assign(List.of(new TopicPartition(topic, 0)));
            c.poll(Duration.ofMillis(500)).forEach(got::add);
          } catch (RuntimeException e) {
            // the dead-letter topic does not exist yet
          }
          return got.size() >= expected;
        },
        () -> topic + " has " + got.size() + " of " + expected);
    assertEquals(expected, got.size(), topic + ": " + got);
    return got;
  }
}
