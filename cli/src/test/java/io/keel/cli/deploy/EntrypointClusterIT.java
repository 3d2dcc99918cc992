package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.NewTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster of real broker processes on loopback, each started by the image's
 * entrypoint.sh from KEEL_* variables (the distribution the `package` phase built in cli/target, so
 * this runs in `verify` after it), with a replicated topic, records and a consumer group with lag
 * (DeployCheckWorkload). Checks what deploy/ relies on: readiness, the health check script, the
 * metric names of the dashboard, alert rules and operations guide, and a timely controlled
 * shutdown.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EntrypointClusterIT {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /** Made by Prometheus itself, not by a broker. */
  private static final Set<String> PROMETHEUS_METRICS = Set.of("up");

  private static final String TOPIC = "deploy-check";
  private static final int PARTITIONS = 3;
  private static final int RECORDS = 30;

  @TempDir static Path dir;
  private static EntrypointCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Path home = DeployTree.root().resolve("cli/target");
    assumeTrue(
        Files.isRegularFile(home.resolve("keel-cli.jar")) && Files.isDirectory(home.resolve("lib")),
        "no distribution in " + home + ": run with `./mvnw verify` (after `package`)");
    assumeTrue(
        hasBrokerMain(home.resolve("lib")),
        "the broker in " + home + "/lib has no io.keel.broker.BrokerMain yet");
    cluster = EntrypointCluster.start(3, home, dir);
    cluster.awaitReady(READY_TIMEOUT);
    createTopic(cluster.nodes().getFirst());
    // Every partition has a leader.
    awaitMetricSum("keel_partition_leader", PARTITIONS, Duration.ofSeconds(60));
    DeployCheckWorkload.run(cluster.bootstrap(), TOPIC, RECORDS);
    // The group read and committed the first RECORDS records; RECORDS more arrived since.
    awaitMetricSum("keel_consumer_group_lag", RECORDS, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void everyNodeIsLiveAndReady() {
    for (EntrypointCluster.Node node : cluster.nodes()) {
      assertEquals(200, cluster.status(node, "/health/live"), "node " + node.id());
      assertEquals(200, cluster.status(node, "/health/ready"), "node " + node.id());
    }
  }

  @Test
  @Order(2)
  void nodeWithoutAnIdTookItFromItsOrdinal() throws IOException {
    EntrypointCluster.Node last = cluster.nodes().getLast();
    String config = Files.readString(last.dir().resolve("keel.properties"));
    assertTrue(config.contains("node.id=" + last.id() + "\n"), config);
  }

  @Test
  @Order(3)
  void healthCheckScriptPassesOnAReadyNodeAndFailsOnAClosedPort() throws Exception {
    EntrypointCluster.Node node = cluster.nodes().getFirst();
    assertEquals(0, healthCheck(node.httpAddress()), "healthcheck.sh on a ready node");
    assertNotEquals(0, healthCheck("127.0.0.1:" + node.port()), "healthcheck.sh on gRPC port");
  }

  @Test
  @Order(4)
  void metricsUsedByDashboardAndAlertsExist() throws Exception {
    Set<String> exposed = new TreeSet<>();
    for (EntrypointCluster.Node node : cluster.nodes()) {
      exposed.addAll(sampleNames(cluster.get(node, "/metrics")));
    }
    Map<String, String> missing = new TreeMap<>();
    for (String expression : DeployFilesTest.expressions()) {
      for (String name : PromQl.metricNames(expression)) {
        if (!exposed.contains(name) && !PROMETHEUS_METRICS.contains(name)) {
          missing.put(name, expression);
        }
      }
    }
    exposed.removeIf(name -> !name.startsWith("keel_"));
    assertEquals(Map.of(), missing, "metrics on no node; the nodes have " + exposed);
  }

  @Test
  @Order(5)
  void metricsNamedInTheOperationsGuideExist() throws Exception {
    Set<String> exposed = new TreeSet<>();
    for (EntrypointCluster.Node node : cluster.nodes()) {
      exposed.addAll(sampleNames(cluster.get(node, "/metrics")));
    }
    Set<String> missing = new TreeSet<>();
    Matcher matcher =
        Pattern.compile("`(keel_[a-z_]+)`")
            .matcher(DeployTree.read(DeployTree.root().resolve("docs/operations.md")));
    while (matcher.find()) {
      String family = matcher.group(1);
      if (Stream.of("", "_count", "_total").noneMatch(s -> exposed.contains(family + s))) {
        missing.add(family);
      }
    }
    assertEquals(Set.of(), missing, "docs/operations.md names metrics no node has");
  }

  @Test
  @Order(6)
  void sigtermShutsANodeDownWithinTheGracePeriod() throws Exception {
    EntrypointCluster.Node node = cluster.nodes().getLast();
    assertTrue(cluster.stop(node), "node " + node.id() + " ignored SIGTERM for 30 s");
  }

  /** A replicated topic, so that the per-partition metrics exist. */
  private static void createTopic(EntrypointCluster.Node node) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
    try {
      CreateTopicsResponse response =
          KeelClientGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .createTopics(
                  CreateTopicsRequest.newBuilder()
                      .addTopics(
                          NewTopic.newBuilder()
                              .setName(TOPIC)
                              .setPartitions(PARTITIONS)
                              .setReplicationFactor(3))
                      .setTimeoutMs(30_000)
                      .build());
      assertEquals(
          ErrorCode.NONE, response.getResults(0).getError().getCode(), response.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  /** Until the samples of a metric, summed over all nodes, equal {@code expected}. */
  private static void awaitMetricSum(String name, double expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    double sum = Double.NaN;
    while (sum != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name
                + " sums to "
                + sum
                + ", not "
                + expected
                + ", after "
                + timeout
                + "; logs:\n"
                + cluster.logTails());
      }
      Thread.sleep(200);
      sum = 0;
      for (EntrypointCluster.Node node : cluster.nodes()) {
        sum += sampleSum(cluster.get(node, "/metrics"), name);
      }
    }
  }

  private static double sampleSum(String exposition, String name) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** Names of the samples in a Prometheus text exposition (histogram _bucket etc. included). */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    return names;
  }

  private static int healthCheck(String httpAddress) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", DeployTree.deploy("docker/healthcheck.sh").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("healthcheck.log").toFile());
    builder.environment().put("KEEL_HTTP_ADDRESS", httpAddress);
    Process process = builder.start();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "healthcheck.sh hung");
    return process.exitValue();
  }

  private static boolean hasBrokerMain(Path lib) throws IOException {
    try (Stream<Path> jars = Files.list(lib)) {
      for (Path jar :
          jars.filter(j -> j.getFileName().toString().startsWith("keel-broker")).toList()) {
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
          if (zip.getEntry("io/keel/broker/BrokerMain.class") != null) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
