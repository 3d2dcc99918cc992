package io.keel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.keel.bench.BenchResult;
import io.keel.bench.BenchRunner;
import io.keel.bench.Driver;
import io.keel.bench.KafkaDriver;
import io.keel.bench.KeelDriver;
import io.keel.bench.ProcessStats;
import io.keel.bench.Workload;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keel bench}: measures publish, end-to-end and consume performance. */
@Command(
    name = "bench",
    description = {
      "Run a benchmark workload against a cluster: a progress line per second, then a summary",
      "(throughput, publish and end-to-end latency percentiles from HdrHistogram).",
      "Latency is measured from each message's intended send time (no coordinated omission).",
      "The same load generator drives Apache Kafka (--system kafka) when kafka-clients is on",
      "the classpath, as bench/compare.sh arranges; the distribution ships without it."
    },
    footer = {
      "",
      "A YAML file (--workload) may set any option by its long name, e.g.",
      "  partitions: 6",
      "  message-size: 1024",
      "  rate: 5000",
      "Flags given on the command line win over the file.",
      "",
      "Examples:",
      "  keel bench --duration 60s                           # max-rate publish + consume",
      "  keel bench --rate 5000 --warmup 10s --duration 30s  # fixed rate, latency",
      "  keel bench --serial 10000                           # one message at a time",
      "  keel bench --drain --json result.json               # + consume the backlog",
      "  keel bench --share --workers 12 --partitions 6      # share-group workers",
      "  keel bench --broker-pids 123,456,789                # + broker CPU and RSS"
    })
final class BenchCommand implements Callable<Integer> {
  private static final Set<String> YAML_KEYS =
      Set.of(
          "topic",
          "partitions",
          "replication-factor",
          "message-size",
          "producers",
          "consumers",
          "rate",
          "acks",
          "linger-ms",
          "batch-size",
          "compression",
          "warmup",
          "duration",
          "serial",
          "drain",
          "share",
          "workers");

  @Mixin ClientOptions client;

  @Option(names = "--workload", paramLabel = "FILE", description = "YAML workload file.")
  Path workloadFile;

  @Option(names = "--topic", description = "Default: keel-bench.")
  String topic;

  @Option(names = "--partitions", description = "Default: 6.")
  Integer partitions;

  @Option(names = "--replication-factor", description = "Default: 3.")
  Integer replicationFactor;

  @Option(names = "--message-size", description = "Bytes per message. Default: 1024.")
  Integer messageSize;

  @Option(names = "--producers", description = "Producer threads. Default: 1.")
  Integer producers;

  @Option(names = "--consumers", description = "Consumer threads. Default: 1.")
  Integer consumers;

  @Option(names = "--rate", description = "Total msg/s; 0 = max. Default: 0.")
  Long rate;

  @Option(names = "--acks", description = "0, 1 or all. Default: all.")
  String acks;

  @Option(names = "--linger-ms", description = "Default: 5.")
  Long lingerMs;

  @Option(names = "--batch-size", description = "Producer batch bytes. Default: 131072.")
  Integer batchSize;

  @Option(names = "--compression", description = "none, lz4, zstd, snappy. Default: none.")
  String compression;

  @Option(names = "--warmup", converter = Durations.class, description = "Default: 5s.")
  Duration warmup;

  @Option(names = "--duration", converter = Durations.class, description = "Default: 30s.")
  Duration duration;

  @Option(names = "--serial", description = "One-at-a-time end-to-end mode: message count.")
  Integer serial;

  @Option(names = "--drain", description = "Afterwards, consume the topic from the beginning.")
  Boolean drain;

  @Option(
      names = "--share",
      description =
          "Share-group mode: --workers share consumers in one group (on a fresh topic) accept"
              + " each record; reports accepted msg/s and intended-send->confirmed-accept latency."
              + " Keel only.")
  Boolean share;

  @Option(names = "--workers", description = "Share-group workers with --share. Default: 12.")
  Integer workers;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the full result as JSON.")
  Path json;

  @Option(
      names = "--system",
      defaultValue = "keel",
      description = "keel, or kafka (needs kafka-clients on the classpath). Default: keel.")
  String system;

  @Option(
      names = "--broker-pids",
      split = ",",
      paramLabel = "PID",
      description =
          "Broker processes on this host: report their CPU time per million messages and their"
              + " largest resident set (from /proc).")
  List<Long> brokerPids = List.of();

  @Override
  public Integer call() throws Exception {
    Map<String, Object> file = workloadFile == null ? Map.of() : readYaml(workloadFile);
    Workload workload =
        new Workload(
            pick(topic, file, "topic", "keel-bench"),
            pick(partitions, file, "partitions", 6),
            pick(replicationFactor, file, "replication-factor", 3),
            pick(messageSize, file, "message-size", 1024),
            pick(producers, file, "producers", 1),
            pick(consumers, file, "consumers", 1),
            pick(rate, file, "rate", 0L),
            pick(acks, file, "acks", "all"),
            pick(lingerMs, file, "linger-ms", 5L),
            pick(batchSize, file, "batch-size", 131072),
            pick(compression, file, "compression", "none"),
            pick(warmup, file, "warmup", Duration.ofSeconds(5)),
            pick(duration, file, "duration", Duration.ofSeconds(30)),
            pick(serial, file, "serial", 0),
            pick(drain, file, "drain", false),
            shareWorkers(file));
    BenchResult result;
    try (Driver driver = driver(client.bootstrapServers())) {
      result =
          new BenchRunner(workload, driver, system, new ProcessStats(brokerPids), System.err).run();
    }
    System.out.print(result.summary());
    if (json != null) {
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(json.toFile(), result);
      System.out.println("  result written to " + json);
    }
    return result.sendErrors() == 0 ? 0 : 1;
  }

  private int shareWorkers(Map<String, Object> file) {
    int count = pick(workers, file, "workers", 12);
    if (!pick(share, file, "share", false)) {
      if (workers != null || file.containsKey("workers")) {
        throw new IllegalArgumentException("--workers needs --share");
      }
      return 0;
    }
    if (count <= 0) {
      throw new IllegalArgumentException("--workers must be > 0, was " + count);
    }
    return count;
  }

  private Driver driver(String[] bootstrap) {
    return switch (system) {
      case "keel" -> new KeelDriver(bootstrap);
      case "kafka" -> {
        try {
          Class.forName("org.apache.kafka.clients.producer.KafkaProducer");
        } catch (ClassNotFoundException e) {
          throw new IllegalArgumentException(
              "--system kafka: kafka-clients is not on the classpath; bench/compare.sh runs the"
                  + " bench with it (the keel distribution ships without Kafka)");
        }
        yield new KafkaDriver(bootstrap);
      }
      default ->
          throw new IllegalArgumentException(
              "--system must be keel or kafka, was '"
                  + system
                  + "' (known: "
                  + Arrays.asList("keel", "kafka")
                  + ")");
    };
  }

  private static Map<String, Object> readYaml(Path path) throws IOException {
    try (Reader reader = Files.newBufferedReader(path)) {
      Map<String, Object> values = new Yaml().load(reader);
      if (values == null) {
        return Map.of();
      }
      for (String key : values.keySet()) {
        if (!YAML_KEYS.contains(key)) {
          throw new IllegalArgumentException(
              path + ": unknown workload key '" + key + "'; known: " + YAML_KEYS);
        }
      }
      return values;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T pick(T flag, Map<String, Object> file, String key, T fallback) {
    if (flag != null) {
      return flag;
    }
    Object value = file.get(key);
    if (value == null) {
      return fallback;
    }
    if (fallback instanceof Duration) {
      return (T) Durations.parse(value.toString());
    }
    if (fallback instanceof Long) {
      return (T) Long.valueOf(value.toString());
    }
    if (fallback instanceof Integer) {
      return (T) Integer.valueOf(value.toString());
    }
    if (fallback instanceof Boolean) {
      return (T) Boolean.valueOf(value.toString());
    }
    return (T) value.toString();
  }
}
