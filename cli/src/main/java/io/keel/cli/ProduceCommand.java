package io.keel.cli;

import io.keel.client.Acks;
import io.keel.client.CompressionType;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.ProducerRecord;
import io.keel.client.RecordMetadata;
import io.keel.client.Serdes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel produce TOPIC}: one record per line of standard input. */
@Command(
    name = "produce",
    description = "Send one record per line of standard input, then print a summary.",
    footer = {
      "",
      "Examples:",
      "  seq 1000 | keel produce orders",
      "  printf 'k1:v1\\nk2:v2\\n' | keel produce orders --key-separator :",
      "  keel produce orders --acks 1 --compression zstd --partition 0 < records.txt"
    })
final class ProduceCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(paramLabel = "TOPIC", description = "Topic to write to.")
  String topic;

  @Option(
      names = {"-k", "--key-separator"},
      paramLabel = "SEP",
      description = "Split each line into key and value at the first SEP.")
  String keySeparator;

  @Option(names = "--acks", defaultValue = "all", description = "0, 1 or all (default: all).")
  String acks;

  @Option(
      names = {"-z", "--compression"},
      defaultValue = "none",
      description = "none, lz4, zstd or snappy (default: none).")
  String compression;

  @Option(
      names = {"-p", "--partition"},
      description = "Write every record to this partition.")
  Integer partition;

  /** What was sent to one partition. */
  record PartitionSummary(int partition, long records, long firstOffset, long lastOffset) {}

  /** The summary printed at the end. */
  record Summary(String topic, long records, long bytes, List<PartitionSummary> partitions) {}

  @Override
  public Integer call() throws Exception {
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(client.bootstrapServers())
            .acks(Acks.parse(acks))
            .compression(CompressionType.parse(compression))
            .build();
    List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
    long bytes = 0;
    try (KeelProducer<String, String> producer =
            new KeelProducer<>(config, Serdes.stringSerializer(), Serdes.stringSerializer());
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String key = null;
        String value = line;
        int at = keySeparator == null ? -1 : line.indexOf(keySeparator);
        if (at >= 0) {
          key = line.substring(0, at);
          value = line.substring(at + keySeparator.length());
        }
        bytes += line.getBytes(StandardCharsets.UTF_8).length;
        sends.add(producer.send(new ProducerRecord<>(topic, partition, key, value)));
      }
      producer.flush();
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
      producer.close(Duration.ofSeconds(30));
    }
    Summary summary = summarize(sends, bytes);
    Output out = client.out();
    Output.Table table = new Output.Table("PARTITION", "RECORDS", "FIRST-OFFSET", "LAST-OFFSET");
    summary
        .partitions()
        .forEach(p -> table.row(p.partition(), p.records(), p.firstOffset(), p.lastOffset()));
    out.print(summary, table);
    out.line(
        String.format(
            "Produced %d records (%d bytes) to %s", summary.records(), summary.bytes(), topic));
    return 0;
  }

  private Summary summarize(List<CompletableFuture<RecordMetadata>> sends, long bytes) {
    Map<Integer, long[]> byPartition = new TreeMap<>();
    for (CompletableFuture<RecordMetadata> send : sends) {
      RecordMetadata meta = send.join();
      long[] s =
          byPartition.computeIfAbsent(
              meta.partition().partition(), p -> new long[] {0, Long.MAX_VALUE, -1});
      s[0]++;
      if (meta.offset() >= 0) {
        s[1] = Math.min(s[1], meta.offset());
        s[2] = Math.max(s[2], meta.offset());
      }
    }
    List<PartitionSummary> partitions = new ArrayList<>();
    byPartition.forEach(
        (p, s) -> partitions.add(new PartitionSummary(p, s[0], s[2] < 0 ? -1 : s[1], s[2])));
    return new Summary(topic, sends.size(), bytes, partitions);
  }
}
