package io.keel.cli;

import io.keel.client.Acks;
import io.keel.client.CompressionType;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.NewTopic;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.Serdes;
import io.keel.client.TopicExistsException;
import io.keel.client.UnknownTopicException;
import io.keel.client.share.DeliverAt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code keel produce TOPIC}: one record per line of standard input. */
@Command(
    name = "produce",
    description =
        "Send one record per line of standard input, then print a summary. Stops at the first"
            + " failed record (exit 1) and on Ctrl-C (exit 130), printing what was acknowledged"
            + " so far.",
    footer = {
      "",
      "Examples:",
      "  seq 1000 | keel produce orders",
      "  printf 'k1:v1\\nk2:v2\\n' | keel produce orders --key-separator :",
      "  keel produce orders --acks 1 --compression zstd --partition 0 < records.txt",
      "  seq 10 | keel produce new-topic --create-topic",
      "  echo report | keel produce reports --deliver-at 2026-12-03T09:00:00Z",
      "  echo retry | keel produce resize --delay 30s"
    })
final class ProduceCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration FLUSH_ON_STOP = Duration.ofSeconds(5);
  private static final int CREATED_PARTITIONS = 6;
  private static final int CREATED_REPLICAS = 3;

  @Mixin ClientOptions client;

  @Parameters(paramLabel = "TOPIC", description = "Topic to write to.")
  String topic;

  @Option(
      names = {"-k", "--key-separator"},
      paramLabel = "SEP",
      description = "Split each line into key and value at the first SEP.")
  String keySeparator;

  @Option(
      names = "--acks",
      defaultValue = "all",
      converter = AcksConverter.class,
      description =
          "0, 1 or all (default: all). Only all survives a leader failure; see docs/client.md.")
  Acks acks;

  @Option(
      names = {"-z", "--compression"},
      defaultValue = "none",
      converter = CompressionConverter.class,
      description = "none, lz4, zstd or snappy (default: none).")
  CompressionType compression;

  @Option(
      names = {"-p", "--partition"},
      description = "Write every record to this partition.")
  Integer partition;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "30s",
      converter = Durations.class,
      description =
          "Give up on a record not acknowledged this long after it was read"
              + " (delivery.timeout.ms and max.block.ms; default: 30s).")
  Duration timeout;

  @Option(
      names = "--create-topic",
      description =
          "Create the topic first if it does not exist (6 partitions, replication factor 3 or"
              + " the number of nodes if fewer). Off by default: a typo should not create a"
              + " topic.")
  boolean createTopic;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Delivery delivery;

  /** Delayed delivery to share groups (the keel.deliver.at header; consumer groups ignore it). */
  static final class Delivery {
    @Option(
        names = "--deliver-at",
        required = true,
        paramLabel = "ISO-8601",
        converter = InstantConverter.class,
        description =
            "Share groups get the records at this instant or later (e.g. 2026-12-03T09:00:00Z);"
                + " see docs/queues.md.")
    Instant deliverAt;

    @Option(
        names = "--delay",
        required = true,
        paramLabel = "DURATION",
        converter = DelayConverter.class,
        description = "Share groups get each record this long after it is read (e.g. 30s, 5m).")
    Duration delay;

    ProducerRecord<String, String> apply(ProducerRecord<String, String> record) {
      return deliverAt != null
          ? DeliverAt.deliverAt(record, deliverAt)
          : DeliverAt.delayed(record, delay, InstantSource.system());
    }

    String describe() {
      return deliverAt != null
          ? "; share groups get them from " + deliverAt
          : "; share groups get each "
              + delay.toString().substring(2).toLowerCase()
              + " after it was read";
    }
  }

  /** What was acknowledged by one partition. */
  record PartitionSummary(int partition, long records, long firstOffset, long lastOffset) {}

  /** The summary printed at the end. */
  record Summary(
      String topic,
      long records,
      long bytes,
      long unacknowledged,
      List<PartitionSummary> partitions) {}

  private record Sent(CompletableFuture<RecordMetadata> ack, int bytes) {}

  @Override
  public Integer call() throws Exception {
    client.requireReachable();
    if (createTopic) {
      createTopicIfMissing();
    }
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(client.bootstrapServers())
            .acks(acks)
            .compression(compression)
            .deliveryTimeoutMs(timeout.toMillis())
            .maxBlockMs(timeout.toMillis())
            .requestTimeoutMs((int) Math.max(1, timeout.toMillis() / 2))
            .build();
    List<Sent> sent = new ArrayList<>();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    try (StopSignal stop = StopSignal.install(STOP_GRACE);
        KeelProducer<String, String> producer =
            new KeelProducer<>(config, Serdes.stringSerializer(), Serdes.stringSerializer())) {
      sendLines(producer, LineReader.start(System.in), sent, firstError, stop);
      awaitAcks(sent, stop);
      // After Ctrl-C the lines already read are still sent, for a while.
      producer.close(stop.requested() ? FLUSH_ON_STOP : Duration.ZERO);
      Summary summary = summarize(sent);
      print(summary);
      if (stop.requested()) {
        return StopSignal.EXIT_INTERRUPTED; // the summary counts what was not acknowledged
      }
      if (firstError.get() != null) {
        throw failure(firstError.get(), summary);
      }
      return 0;
    }
  }

  private void sendLines(
      KeelProducer<String, String> producer,
      LineReader lines,
      List<Sent> sent,
      AtomicReference<Throwable> firstError,
      StopSignal stop)
      throws InterruptedException {
    while (!stop.requested() && firstError.get() == null) {
      switch (lines.next(POLL)) {
        case LineReader.Next.Nothing nothing -> {}
        case LineReader.Next.EndOfInput end -> {
          return;
        }
        case LineReader.Next.Line line -> {
          CompletableFuture<RecordMetadata> ack = producer.send(record(line.text()));
          ack.whenComplete(
              (meta, error) -> {
                if (error != null) {
                  firstError.compareAndSet(null, unwrap(error));
                }
              });
          sent.add(new Sent(ack, line.text().getBytes(StandardCharsets.UTF_8).length));
        }
      }
    }
  }

  private ProducerRecord<String, String> record(String line) {
    int at = keySeparator == null ? -1 : line.indexOf(keySeparator);
    ProducerRecord<String, String> record =
        at < 0
            ? new ProducerRecord<>(topic, partition, null, line)
            : new ProducerRecord<>(
                topic,
                partition,
                line.substring(0, at),
                line.substring(at + keySeparator.length()));
    return delivery == null ? record : delivery.apply(record);
  }

  /** Waits until every send is answered, or Ctrl-C. */
  private static void awaitAcks(List<Sent> sent, StopSignal stop) throws InterruptedException {
    CompletableFuture<Void> all =
        CompletableFuture.allOf(sent.stream().map(Sent::ack).toArray(CompletableFuture[]::new));
    while (!stop.requested()) {
      try {
        all.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        // Poll the stop signal again.
      } catch (ExecutionException e) {
        return; // the first error is recorded; the other sends have all been answered
      }
    }
  }

  private Summary summarize(List<Sent> sent) {
    Map<Integer, long[]> byPartition = new TreeMap<>();
    long acknowledged = 0;
    long bytes = 0;
    for (Sent s : sent) {
      if (!s.ack().isDone() || s.ack().isCompletedExceptionally()) {
        continue;
      }
      RecordMetadata meta = s.ack().join();
      acknowledged++;
      bytes += s.bytes();
      long[] p =
          byPartition.computeIfAbsent(
              meta.partition().partition(), k -> new long[] {0, Long.MAX_VALUE, -1});
      p[0]++;
      if (meta.offset() >= 0) {
        p[1] = Math.min(p[1], meta.offset());
        p[2] = Math.max(p[2], meta.offset());
      }
    }
    List<PartitionSummary> partitions = new ArrayList<>();
    byPartition.forEach(
        (p, s) -> partitions.add(new PartitionSummary(p, s[0], s[2] < 0 ? -1 : s[1], s[2])));
    return new Summary(topic, acknowledged, bytes, sent.size() - acknowledged, partitions);
  }

  private void print(Summary summary) {
    Output out = client.out();
    Output.Table table = new Output.Table("PARTITION", "RECORDS", "FIRST-OFFSET", "LAST-OFFSET");
    summary
        .partitions()
        .forEach(p -> table.row(p.partition(), p.records(), p.firstOffset(), p.lastOffset()));
    out.print(summary, table);
    String unacknowledged =
        summary.unacknowledged() == 0
            ? ""
            : String.format("; %d sent records not acknowledged", summary.unacknowledged());
    out.line(
        String.format(
            "Produced %d records (%d bytes) to %s%s%s",
            summary.records(),
            summary.bytes(),
            topic,
            delivery == null ? "" : delivery.describe(),
            unacknowledged));
  }

  private CliFailure failure(Throwable error, Summary summary) {
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    if (error instanceof UnknownTopicException) {
      message +=
          "; create it with `keel topic create "
              + topic
              + "`, or pass --create-topic (see `keel topic list`)";
    }
    return new CliFailure(
        ErrorHandler.EXIT_FAILURE,
        message + " (stopped after " + summary.records() + " acknowledged records)",
        error);
  }

  private void createTopicIfMissing() {
    try (KeelAdmin admin = client.admin()) {
      if (admin.listTopics().join().stream().anyMatch(t -> t.name().equals(topic))) {
        return;
      }
      int nodes = admin.describeCluster().join().nodes().size();
      NewTopic newTopic =
          new NewTopic(topic, CREATED_PARTITIONS, Math.max(1, Math.min(CREATED_REPLICAS, nodes)));
      admin.createTopics(List.of(newTopic)).all().join();
      System.err.printf(
          "keel: created topic %s (%d partitions, replication factor %d)%n",
          topic, newTopic.partitions(), newTopic.replicationFactor());
    } catch (CompletionException e) {
      if (!(unwrap(e) instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static final class AcksConverter implements picocli.CommandLine.ITypeConverter<Acks> {
    @Override
    public Acks convert(String value) {
      try {
        return Acks.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** An ISO-8601 instant the deliver-at header can carry (ms since the epoch, at or after it). */
  static final class InstantConverter implements picocli.CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      Instant when;
      try {
        when = Instant.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new TypeConversionException(
            "'" + value + "' is not an ISO-8601 instant; use e.g. 2026-12-03T09:00:00Z");
      }
      try {
        DeliverAt.at(when);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      return when;
    }
  }

  /** A duration (as {@link Durations}) that is not negative. */
  static final class DelayConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration delay = Durations.parse(value);
      if (delay.isNegative()) {
        throw new TypeConversionException("the delay must be >= 0, was '" + value + "'");
      }
      return delay;
    }
  }

  static final class CompressionConverter
      implements picocli.CommandLine.ITypeConverter<CompressionType> {
    @Override
    public CompressionType convert(String value) {
      try {
        return CompressionType.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
