package io.keel.client.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.NewTopic;
import io.keel.client.ProducerRecord;
import io.keel.client.Serdes;
import io.keel.client.TopicPartition;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Timeout;

/**
 * Share groups end to end on a real three-node cluster: more members than partitions, redelivery
 * after a lock expires, dead letters after the delivery limit, typed acknowledgement errors, and a
 * coordinator crash without losing or redelivering accepted records.
 */
@Timeout(180)
class ShareGroupClusterTest {
  private static final Map<String, String> SETTINGS =
      Map.of(
          "offsets.topic.partitions", "3",
          "group.session.timeout.ms", "3000",
          "group.heartbeat.interval.ms", "200",
          "share.record.lock.duration.ms", "1500",
          "share.delivery.count.limit", "3");

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

  private void createAndFill(String topic, int partitions, int records) {
    try (KeelAdmin admin =
        new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, 3))).all().join();
    }
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(cluster.bootstrap()).lingerMs(2).build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer())) {
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        sends.add(producer.send(new ProducerRecord<>(topic, i % partitions, "k", "task-" + i)));
      }
      sends.forEach(CompletableFuture::join);
    }
  }

  private KeelShareConsumer<String, String> member(String group, String topic, boolean implicit) {
    KeelShareConsumer<String, String> c =
        new KeelShareConsumer<>(
            KeelShareConsumerConfig.of(
                Map.of(
                    "bootstrap.servers", cluster.bootstrap(),
                    "group.id", group,
                    "share.acknowledgement.mode", implicit ? "implicit" : "explicit",
                    "max.poll.records", "7",
                    "fetch.max.wait.ms", "100",
                    "request.timeout.ms", "15000",
                    "retry.backoff.ms", "50")),
            Serdes.stringDeserializer(),
            Serdes.stringDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  private static String key(ConsumerRecord<?, ?> r) {
    return r.partition() + "@" + r.offset();
  }

  @Test
  void moreMembersThanPartitionsShareTheRecordsAndEachIsAcceptedOnce() {
    createAndFill("jobs", 2, 120);
    List<KeelShareConsumer<String, String>> members = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      members.add(member("workers", "jobs", false));
    }
    Map<String, Integer> deliveries = new HashMap<>();
    Set<Integer> membersThatGotWork = new HashSet<>();
    try {
      TestCluster.await(
          Duration.ofSeconds(60),
          () -> {
            for (int i = 0; i < members.size(); i++) {
              KeelShareConsumer<String, String> m = members.get(i);
              for (ConsumerRecord<String, String> r : m.poll(Duration.ofMillis(50))) {
                deliveries.merge(key(r), 1, Integer::sum);
                membersThatGotWork.add(i);
                m.acknowledge(r, AcknowledgeType.ACCEPT);
              }
              m.commitSync();
            }
            return deliveries.size() == 120;
          },
          () -> deliveries.size() + " of 120 accepted");
      assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "redelivered: " + deliveries);
      assertTrue(membersThatGotWork.size() > 2, "work went to " + membersThatGotWork);
    } finally {
      members.forEach(KeelShareConsumer::close);
    }
  }

  @Test
  void expiredLockRedeliversAndTheDeliveryLimitDeadLetters() {
    createAndFill("mail", 1, 1);
    try (KeelShareConsumer<String, String> a = member("senders", "mail", false);
        KeelShareConsumer<String, String> b = member("senders", "mail", false)) {
      ShareRecord<String, String> first = pollOne(a);
      assertEquals(1, first.deliveryCount());
      // a never acknowledges: its lock (1.5 s) runs out and b gets the record.
      ShareRecord<String, String> second = pollOne(b);
      assertEquals(2, second.deliveryCount());
      assertEquals(first.record().offset(), second.record().offset());
      // a's late acknowledgement is refused and changes nothing.
      a.acknowledge(first.record(), AcknowledgeType.ACCEPT);
      ShareAcknowledgementException late =
          assertThrows(ShareAcknowledgementException.class, a::commitSync);
      assertEquals(
          "SHARE_NOT_HELD", late.failures().get(new TopicPartition("mail", 0)).get(0L).code());
      ConsumerRecord<String, String> unknown =
          new ConsumerRecord<>("mail", 0, 999, 0, "k", "x", List.of());
      b.acknowledge(unknown, AcknowledgeType.ACCEPT);
      ShareAcknowledgementException bad =
          assertThrows(ShareAcknowledgementException.class, b::commitSync);
      assertEquals(
          "SHARE_UNKNOWN_OFFSET",
          bad.failures().get(new TopicPartition("mail", 0)).get(999L).code());
      // Third delivery, released: the limit (3) is reached and it goes to mail.dlq.
      b.acknowledge(second.record(), AcknowledgeType.RELEASE);
      b.commitSync();
      ShareRecord<String, String> third = pollOne(a);
      assertEquals(3, third.deliveryCount());
      a.acknowledge(third.record(), AcknowledgeType.RELEASE);
      a.commitSync();
    }
    ConsumerRecord<String, String> dead = readOne("mail.dlq");
    assertEquals("task-0", dead.value());
    Map<String, String> headers = new HashMap<>();
    for (Header h : dead.headers()) {
      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    assertEquals("delivery limit", headers.get("keel.dlq.reason"));
    assertEquals("mail", headers.get("keel.dlq.source.topic"));
    assertEquals("0", headers.get("keel.dlq.source.partition"));
    assertEquals("0", headers.get("keel.dlq.source.offset"));
    assertEquals("3", headers.get("keel.dlq.delivery.count"));
    // Archived: nobody gets it again.
    try (KeelShareConsumer<String, String> c = member("senders", "mail", false)) {
      assertTrue(c.pollShare(Duration.ofMillis(2500)).isEmpty());
    }
  }

  private static ShareRecord<String, String> pollOne(KeelShareConsumer<String, String> c) {
    List<ShareRecord<String, String>> got = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(20),
        () -> {
          got.addAll(c.pollShare(Duration.ofMillis(200)));
          return !got.isEmpty();
        },
        () -> "no record delivered");
    assertEquals(1, got.size());
    return got.get(0);
  }

  private ConsumerRecord<String, String> readOne(String topic) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
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
          return !got.isEmpty();
        },
        () -> topic + " stays empty");
    assertEquals(1, got.size());
    return got.get(0);
  }

  @Test
  void coordinatorCrashLosesNoRecordAndRedeliversNoAcceptedOne() {
    createAndFill("orders", 3, 90);
    String group = "billing";
    Set<String> confirmed = new HashSet<>(); // accepted, and the broker said so
    Set<String> ambiguous = new HashSet<>(); // acknowledged around the crash, answer lost
    List<String> redeliveredAccepted = new ArrayList<>();
    try (KeelShareConsumer<String, String> m = member(group, "orders", true)) {
      Runnable round =
          () -> {
            List<String> batch = new ArrayList<>();
            for (ConsumerRecord<String, String> r : m.poll(Duration.ofMillis(50))) {
              if (confirmed.contains(key(r))) {
                redeliveredAccepted.add(key(r));
              }
              batch.add(key(r));
            }
            try {
              m.commitSync(); // implicit mode: accepts every record of the last poll
              confirmed.addAll(batch);
              ambiguous.removeAll(batch);
            } catch (RuntimeException e) {
              ambiguous.addAll(batch);
            }
          };
      TestCluster.await(
          Duration.ofSeconds(30),
          () -> {
            round.run();
            return confirmed.size() >= 40;
          },
          () -> confirmed.size() + " accepted");
      int coordinatorPartition = (group.hashCode() & 0x7fffffff) % 3;
      int coordinator = cluster.leaderOf("__consumer_offsets", coordinatorPartition);
      cluster.stopNode(coordinator);
      TestCluster.await(
          Duration.ofSeconds(60),
          () -> {
            round.run();
            Set<String> done = new HashSet<>(confirmed);
            done.addAll(ambiguous);
            return done.size() == 90;
          },
          () -> confirmed.size() + " + " + ambiguous.size() + " of 90 accepted after the crash");
    }
    assertEquals(List.of(), redeliveredAccepted, "accepted records delivered again");
    assertTrue(confirmed.size() >= 40);
  }
}
