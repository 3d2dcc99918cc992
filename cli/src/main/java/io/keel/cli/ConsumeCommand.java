package io.keel.cli;

import io.keel.client.AutoOffsetReset;
import io.keel.client.ConsumerRecord;
import io.keel.client.ConsumerRecords;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.OffsetAndMetadata;
import io.keel.client.Serdes;
import io.keel.client.TopicDescription;
import io.keel.client.TopicPartition;
import io.keel.client.UnknownTopicException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keel consume TOPIC}: prints records, one per line. */
@Command(
    name = "consume",
    description =
        "Print records of a topic, one per line (the value, by default). With --group, commits"
            + " exactly what it printed (each partition's last printed offset + 1) when it stops:"
            + " after --max-messages, --timeout or Ctrl-C (exit 130). A summary goes to standard"
            + " error.",
    footer = {
      "",
      "Format directives: %%k key, %%v value, %%p partition, %%o offset, %%t timestamp,",
      "%%T topic, \\t tab, \\n newline. Default: '%%v\\n'.",
      "",
      "Examples:",
      "  keel consume orders --from-beginning --max-messages 10",
      "  keel consume orders --group billing --timeout 10s",
      "  keel consume orders --partition 2 --offset 1000 --format '%%o %%k=%%v\\n'",
      "  keel consume orders --from-beginning -o json"
    })
final class ConsumeCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Mixin ClientOptions client;

  @Parameters(paramLabel = "TOPIC", description = "Topic to read.")
  String topic;

  @Option(
      names = {"-g", "--group"},
      description = "Consume as a member of this group.")
  String group;

  @Option(names = "--from-beginning", description = "Start at the earliest offset.")
  boolean fromBeginning;

  @Option(
      names = {"-p", "--partition"},
      description = "Read only this partition.")
  Integer partition;

  @Option(names = "--offset", description = "Start offset (with --partition).")
  Long offset;

  @Mixin ReadLimits limits;

  /** One record as printed with {@code -o json}. */
  record JsonRecord(
      String topic, int partition, long offset, long timestamp, String key, String value) {}

  @Override
  public Integer call() {
    if (offset != null && partition == null) {
      throw new ParameterException(spec.commandLine(), "--offset needs --partition");
    }
    int partitions = partitionCount();
    Map<TopicPartition, Long> delivered = new LinkedHashMap<>();
    try (StopSignal stop = StopSignal.install(STOP_GRACE)) {
      KeelConsumer<String, String> consumer =
          new KeelConsumer<>(config(), Serdes.stringDeserializer(), Serdes.stringDeserializer());
      long printed;
      try {
        position(consumer, partitions);
        printed = drain(consumer, delivered, stop);
        commit(consumer, delivered);
      } finally {
        consumer.close(CLOSE_TIMEOUT); // leaving the group must not hold up a command that is done
      }
      printSummary(printed, delivered);
      return stop.requested() ? StopSignal.EXIT_INTERRUPTED : 0;
    }
  }

  /** Commits exactly what was printed: per partition, the last printed offset + 1. */
  private void commit(KeelConsumer<String, String> consumer, Map<TopicPartition, Long> delivered) {
    if (group == null || delivered.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    delivered.forEach((tp, last) -> offsets.put(tp, new OffsetAndMetadata(last + 1)));
    consumer.commitSync(offsets, COMMIT_TIMEOUT);
  }

  private void printSummary(long printed, Map<TopicPartition, Long> delivered) {
    String committed =
        group == null || delivered.isEmpty()
            ? ""
            : String.format("; group %s committed %d partitions", group, delivered.size());
    PrintWriter err = spec.commandLine().getErr();
    err.printf("keel: consumed %d records from %s%s%n", printed, topic, committed);
    err.flush();
  }

  private KeelConsumerConfig config() {
    KeelConsumerConfig.Builder config =
        KeelConsumerConfig.builder()
            .bootstrap(client.bootstrapServers())
            .autoOffsetReset(fromBeginning ? AutoOffsetReset.EARLIEST : AutoOffsetReset.LATEST)
            .enableAutoCommit(false);
    if (group != null) {
      config.groupId(group);
    }
    return config.build();
  }

  /** The topic's partition count; fails fast (UnknownTopicException) when it does not exist. */
  private int partitionCount() {
    try (KeelAdmin admin = client.admin()) {
      int count = describeOrFail(admin, topic).partitions().size();
      if (partition != null && (partition < 0 || partition >= count)) {
        throw new ParameterException(
            spec.commandLine(),
            "--partition " + partition + ": topic " + topic + " has partitions 0.." + (count - 1));
      }
      return count;
    }
  }

  /** The topic; one clear line naming the way out when it does not exist. */
  static TopicDescription describeOrFail(KeelAdmin admin, String topic) {
    try {
      return admin.describeTopics(List.of(topic)).all().join().get(topic);
    } catch (CompletionException e) {
      if (e.getCause() instanceof UnknownTopicException unknown) {
        throw new CliFailure(
            ErrorHandler.EXIT_FAILURE,
            unknown.getMessage()
                + "; see `keel topic list`, or create it: `keel topic create "
                + topic
                + "`",
            unknown);
      }
      throw e;
    }
  }

  private void position(KeelConsumer<String, String> consumer, int partitionCount) {
    if (group != null && partition == null) {
      consumer.subscribe(List.of(topic));
      return;
    }
    List<TopicPartition> partitions =
        partition != null
            ? List.of(new TopicPartition(topic, partition))
            : IntStream.range(0, partitionCount)
                .mapToObj(p -> new TopicPartition(topic, p))
                .toList();
    consumer.assign(partitions);
    if (offset != null) {
      consumer.seek(partitions.get(0), offset);
    } else if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  /** Prints records until --max-messages, --timeout or Ctrl-C; returns how many it printed. */
  private long drain(
      KeelConsumer<String, String> consumer, Map<TopicPartition, Long> delivered, StopSignal stop) {
    PrintStream out = System.out;
    Output json = client.out();
    RecordFormat render = limits.recordFormat();
    long printed = 0;
    long idleDeadline = limits.idleDeadlineFrom(System.nanoTime());
    while (!limits.reached(printed) && !stop.requested()) {
      ConsumerRecords<String, String> records = consumer.poll(POLL);
      for (ConsumerRecord<String, String> r : records) {
        if (json.json()) {
          json.printJson(
              new JsonRecord(
                  r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        } else {
          out.print(render.render(r));
        }
        delivered.put(new TopicPartition(r.topic(), r.partition()), r.offset());
        printed++;
        if (limits.reached(printed) || stop.requested()) {
          break;
        }
      }
      out.flush();
      if (!records.isEmpty()) {
        idleDeadline = limits.idleDeadlineFrom(System.nanoTime());
      } else if (System.nanoTime() > idleDeadline) {
        break;
      }
    }
    return printed;
  }
}
