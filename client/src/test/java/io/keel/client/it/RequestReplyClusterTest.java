package io.keel.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.BufferExhaustedException;
import io.keel.client.KeelRequester;
import io.keel.client.KeelRequesterConfig;
import io.keel.client.KeelResponder;
import io.keel.client.KeelResponderConfig;
import io.keel.client.KeelTimeoutException;
import io.keel.client.Serdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KeelRequester and KeelResponder against a real three-node cluster. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestReplyClusterTest {
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster =
        TestCluster.start(
            3,
            java.util.Map.of(
                "group.heartbeat.interval.ms", "200", "group.session.timeout.ms", "4000"));
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void topic(String name, int partitions) {
    cluster.createTopic(name, partitions, 3);
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          for (int p = 0; p < partitions; p++) {
            if (cluster.leaderOf(name, p) == 0) {
              return false;
            }
          }
          return true;
        },
        () -> "leaders of " + name);
  }

  private static KeelRequester<String, String> requester(String replies, int max, Duration block) {
    return new KeelRequester<>(
        new KeelRequesterConfig(List.of(cluster.bootstrap().split(",")), replies, 0, max, block),
        Serdes.stringSerializer(),
        Serdes.stringSerializer(),
        Serdes.stringDeserializer());
  }

  private static KeelResponder<String, String> responder(
      String group, String topic, Function<String, String> handler) {
    KeelResponder<String, String> r =
        new KeelResponder<>(
            KeelResponderConfig.of(cluster.bootstrap(), group, topic),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            rec -> handler.apply(rec.value()));
    Thread.ofPlatform().name("responder-" + group).daemon().start(r);
    return r;
  }

  @Test
  void everyRequestGetsItsOwnReply() {
    topic("rr-req", 2);
    topic("rr-rep", 1);
    KeelResponder<String, String> worker = responder("rr", "rr-req", String::toUpperCase);
    try (KeelRequester<String, String> requester =
        requester("rr-rep", 100, Duration.ofSeconds(5))) {
      List<CompletableFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        futures.add(requester.request("rr-req", "k" + i, "job-" + i, Duration.ofSeconds(30)));
      }
      for (int i = 0; i < 40; i++) {
        assertEquals("JOB-" + i, futures.get(i).join());
      }
      assertEquals(0, requester.outstanding());
    } finally {
      worker.close();
    }
  }

  @Test
  void aLateReplyIsDroppedAndCounted() throws Exception {
    topic("late-req", 1);
    topic("late-rep", 1);
    CountDownLatch timedOut = new CountDownLatch(1);
    KeelResponder<String, String> worker =
        responder(
            "late",
            "late-req",
            v -> {
              try {
                timedOut.await(30, TimeUnit.SECONDS); // reply only after the caller gave up
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "slow " + v;
            });
    try (KeelRequester<String, String> requester =
        requester("late-rep", 10, Duration.ofSeconds(5))) {
      // Long enough for the worker to join and receive the request before it expires.
      CompletableFuture<String> f = requester.request("late-req", "k", "x", Duration.ofSeconds(8));
      CompletionException e = assertThrows(CompletionException.class, f::join);
      assertInstanceOf(KeelTimeoutException.class, e.getCause());
      timedOut.countDown();
      TestCluster.await(
          Duration.ofSeconds(20),
          () -> requester.lateReplies() == 1 || worker.expired() == 1,
          () -> "late replies " + requester.lateReplies());
    } finally {
      worker.close();
    }
  }

  /**
   * Worker A takes the request and dies before replying; worker B of the same group gets the
   * request again (A never committed it) and replies. Fails if a worker commits before replying.
   */
  @Test
  void aWorkerCrashMidRequestLosesNoReply() {
    topic("crash-req", 1);
    topic("crash-rep", 1);
    CountDownLatch aHasIt = new CountDownLatch(1);
    KeelResponder<String, String> a =
        responder(
            "crash",
            "crash-req",
            v -> {
              aHasIt.countDown();
              throw new AssertionError("worker A crashes mid-request"); // an Error: a crash
            });
    try (KeelRequester<String, String> requester =
        requester("crash-rep", 10, Duration.ofSeconds(5))) {
      CompletableFuture<String> f =
          requester.request("crash-req", "k", "payload", Duration.ofSeconds(60));
      try {
        assertTrue(aHasIt.await(40, TimeUnit.SECONDS), "worker A received the request");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      KeelResponder<String, String> b = responder("crash", "crash-req", v -> "B handled " + v);
      try {
        assertEquals("B handled payload", f.join());
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  }

  @Test
  void callersThatOutrunWorkersAreHeldBack() {
    topic("bp-req", 1);
    topic("bp-rep", 1);
    try (KeelRequester<String, String> requester = requester("bp-rep", 2, Duration.ofMillis(200))) {
      requester.request("bp-req", "k", "1", Duration.ofSeconds(30));
      requester.request("bp-req", "k", "2", Duration.ofSeconds(30));
      CompletableFuture<String> third =
          requester.request("bp-req", "k", "3", Duration.ofSeconds(30));
      CompletionException e = assertThrows(CompletionException.class, third::join);
      assertInstanceOf(BufferExhaustedException.class, e.getCause());
      assertEquals(2, requester.outstanding());
    }
  }
}
