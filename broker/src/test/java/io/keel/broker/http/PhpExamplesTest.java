package io.keel.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keel.broker.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PHP examples of examples/php/ end to end against a real cluster, over plain HTTP: a burst of
 * tasks, a pool of three PHP workers, and request/reply callers; and a task queue on a share group
 * with four PHP workers on two partitions (retry, dead letter, lock renewal, a scheduled task).
 * Skipped when {@code php} (with the curl extension) is not installed; .ci/run installs it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PhpExamplesTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "php").toAbsolutePath();
  private static final int TASKS = 30;
  private static final int JOBS = 20;
  private static final long SHARE_LOCK_MS = 2_000;
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(
        phpWithCurl(),
        "php with the curl extension is not installed (apt-get install php-cli php-curl);"
            + " skipping the PHP examples");
    cluster =
        TestCluster.start(
            3,
            Map.of(
                "group.heartbeat.interval.ms", "200",
                "group.session.timeout.ms", "4000",
                // Short share locks: the long task renews its lock within the test's time.
                "share.record.lock.duration.ms", Long.toString(SHARE_LOCK_MS)));
    cluster.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static boolean phpWithCurl() {
    try {
      Process p =
          new ProcessBuilder("php", "-r", "exit(extension_loaded('curl') ? 0 : 1);")
              .redirectErrorStream(true)
              .start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String url(int node) {
    return "http://127.0.0.1:" + cluster.node(node).httpPort();
  }

  /** Runs a PHP script to completion; returns its stdout; fails on a non-zero exit. */
  private static String php(Duration timeout, String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("php", EXAMPLES.resolve(script).toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile("php-", ".err");
    Path out = Files.createTempFile("php-", ".out");
    Process p =
        new ProcessBuilder(command)
            .redirectError(err.toFile())
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish within " + timeout);
    }
    String stdout = Files.readString(out);
    assertEquals(0, p.exitValue(), script + " failed: " + Files.readString(err) + stdout);
    return stdout;
  }

  @Test
  void producerWorkerPoolAndRequestReplyCallers() throws Exception {
    php(Duration.ofSeconds(30), "create-topics.php", url(1), "tasks", "3", "replies", "1");
    CompletableFuture<String> pool =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return php(
                    Duration.ofSeconds(120), "pool.php", "3", url(2), "tasks", "workers", "8000");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            runnable -> Thread.ofPlatform().name("php-pool").daemon().start(runnable));
    JsonNode produced =
        new ObjectMapper()
            .readTree(
                php(
                    Duration.ofSeconds(30),
                    "producer.php",
                    url(1),
                    "tasks",
                    Integer.toString(TASKS)));
    assertEquals(TASKS, produced.get("stored").asInt());
    for (int n : new int[] {3, 12}) {
      String reply =
          php(
              Duration.ofSeconds(40),
              "caller.php",
              url(3),
              "tasks",
              "replies",
              "0",
              Integer.toString(n),
              "30000");
      assertEquals(n * n, new ObjectMapper().readTree(reply).get("result").asInt(), reply);
    }
    String done = pool.get(150, TimeUnit.SECONDS);
    Set<String> tasks =
        done.lines()
            .filter(l -> l.startsWith("done "))
            .map(l -> l.substring(5))
            .filter(t -> !t.startsWith("call-"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> expected =
        IntStream.range(0, TASKS)
            .mapToObj(Integer::toString)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, tasks, "every task done at least once by the pool");
    assertTrue(done.lines().anyMatch(l -> l.startsWith("done call-")), "the pool answered calls");
  }

  @Test
  void shareGroupWorkersRetryRejectRenewAndRunScheduledTasks() throws Exception {
    php(Duration.ofSeconds(30), "create-topics.php", url(1), "jobs", "2");
    CompletableFuture<String> pool =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return php(
                    Duration.ofSeconds(120),
                    "pool.php",
                    "4",
                    url(2),
                    "jobs",
                    "job-workers",
                    "8000",
                    "share-worker.php");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            runnable -> Thread.ofPlatform().name("php-share-pool").daemon().start(runnable));
    long producedAt = System.currentTimeMillis();
    JsonNode produced =
        new ObjectMapper()
            .readTree(
                php(
                    Duration.ofSeconds(30),
                    "share-producer.php",
                    url(3),
                    "jobs",
                    Integer.toString(JOBS),
                    "2000",
                    Long.toString(SHARE_LOCK_MS * 3 / 4)));
    assertEquals(JOBS + 4, produced.get("stored").asInt());
    String out = pool.get(150, TimeUnit.SECONDS);
    Map<String, List<String>> byTask =
        out.lines()
            .filter(l -> !l.startsWith("renewed "))
            .collect(Collectors.groupingBy(l -> l.split(" ")[1]));
    for (int i = 0; i < JOBS; i++) {
      assertTrue(
          byTask.getOrDefault(Integer.toString(i), List.of()).stream()
              .anyMatch(l -> l.startsWith("done ")),
          "task " + i + " done: " + out);
    }
    List<String> flaky = byTask.get("flaky");
    assertTrue(flaky.stream().anyMatch(l -> l.startsWith("retry flaky delivery=1 ")), out);
    assertTrue(flaky.stream().anyMatch(l -> l.startsWith("retry flaky delivery=2 ")), out);
    assertTrue(flaky.stream().anyMatch(l -> l.startsWith("done flaky delivery=3 ")), out);
    assertEquals(
        List.of("rejected"), byTask.get("poison").stream().map(l -> l.split(" ")[0]).toList());
    assertTrue(
        out.lines().anyMatch(l -> l.equals("renewed long")), "the long task renewed: " + out);
    assertTrue(
        byTask.get("long").stream().anyMatch(l -> l.startsWith("done long delivery=1 ")),
        "renewing kept the long task's lock: " + out);
    String scheduled =
        byTask.get("scheduled").stream()
            .filter(l -> l.startsWith("done "))
            .findFirst()
            .orElseThrow();
    long due = Long.parseLong(scheduled.replaceAll(".* due=(\\d+) .*", "$1"));
    long ran = Long.parseLong(scheduled.replaceAll(".* ran=(\\d+).*", "$1"));
    assertTrue(due >= producedAt + 2000, "due two seconds after producing: " + scheduled);
    assertTrue(ran >= due, "not run before it was due: " + scheduled);
    HttpTestClient http = new HttpTestClient();
    AtomicReference<JsonNode> letter = new AtomicReference<>();
    TestCluster.await(
        Duration.ofSeconds(30),
        () -> {
          HttpTestClient.Reply r =
              http.get(
                  cluster.node(1).httpPort(),
                  "/v1/topics/jobs.dlq/partitions/0/records?offset=earliest&format=json");
          if (r.status() == 200 && !r.body().get("records").isEmpty()) {
            letter.set(r.body().get("records").get(0));
          }
          return letter.get() != null;
        },
        () -> "the poison task in jobs.dlq");
    assertEquals("poison", letter.get().get("value").get("task").asText());
    assertEquals("rejected", letter.get().get("headers").get("keel.dlq.reason").asText());
  }
}
