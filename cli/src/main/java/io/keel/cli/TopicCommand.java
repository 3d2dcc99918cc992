package io.keel.cli;

import io.keel.client.KeelAdmin;
import io.keel.client.NewTopic;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import io.keel.client.TopicListing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel topic ...}: create, list, describe and delete topics. */
@Command(
    name = "topic",
    description = "Create, list, describe and delete topics.",
    subcommands = {
      TopicCommand.Create.class,
      TopicCommand.ListTopics.class,
      TopicCommand.Describe.class,
      TopicCommand.Delete.class
    })
final class TopicCommand {

  @Command(
      name = "create",
      description = "Create a topic.",
      footer = {
        "",
        "Examples:",
        "  keel topic create orders --partitions 6 --replication-factor 3",
        "  keel topic create logs -p 3 -r 3 --config retention.ms=86400000"
      })
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "NAME", description = "Topic name.")
    String name;

    @Option(
        names = {"-p", "--partitions"},
        defaultValue = "6",
        description = "Default: 6.")
    int partitions;

    @Option(
        names = {"-r", "--replication-factor"},
        defaultValue = "3",
        description = "Default: 3.")
    int replicationFactor;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "KEY=VALUE",
        description = "Topic config.")
    Map<String, String> configs = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
      try (KeelAdmin admin = client.admin()) {
        admin
            .createTopics(List.of(new NewTopic(name, partitions, replicationFactor, configs)))
            .all()
            .get();
      }
      Map<String, Object> result =
          Map.of("topic", name, "partitions", partitions, "replicationFactor", replicationFactor);
      client
          .out()
          .print(
              result,
              new Output.Table("TOPIC", "PARTITIONS", "REPLICATION", "STATUS")
                  .row(name, partitions, replicationFactor, "created"));
      return 0;
    }
  }

  @Command(
      name = "list",
      description = "List topics.",
      footer = {"", "Examples:", "  keel topic list", "  keel topic list -o json"})
  static final class ListTopics implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--internal", description = "Include internal topics.")
    boolean internal;

    @Override
    public Integer call() throws Exception {
      List<TopicListing> topics;
      try (KeelAdmin admin = client.admin()) {
        topics = admin.listTopics().get().stream().filter(t -> internal || !t.internal()).toList();
      }
      Output.Table table = new Output.Table("TOPIC", "PARTITIONS", "REPLICATION");
      topics.forEach(t -> table.row(t.name(), t.partitions(), t.replicationFactor()));
      client.out().print(topics, table);
      return 0;
    }
  }

  @Command(
      name = "describe",
      description = "Partitions of a topic: leader, replicas, in-sync replicas, offsets.",
      footer = {"", "Examples:", "  keel topic describe orders"})
  static final class Describe implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "NAME", description = "Topic name.")
    String name;

    @Override
    public Integer call() throws Exception {
      TopicDescription topic;
      try (KeelAdmin admin = client.admin()) {
        topic = admin.describeTopics(List.of(name)).all().get().get(name);
      }
      Output out = client.out();
      out.line(
          "TOPIC "
              + topic.name()
              + "  replication "
              + topic.replicationFactor()
              + (topic.configs().isEmpty() ? "" : "  configs " + topic.configs()));
      Output.Table table =
          new Output.Table(
              "PARTITION",
              "LEADER",
              "REPLICAS",
              "IN-SYNC",
              "LOG-START",
              "HIGH-WATERMARK",
              "LOG-END");
      for (PartitionDescription p : topic.partitions()) {
        table.row(
            p.partition(),
            p.leaderId() > 0 ? p.leaderId() : "none",
            p.replicas(),
            p.inSyncReplicas(),
            p.logStartOffset(),
            p.highWatermark(),
            p.logEndOffset());
      }
      out.print(topic, table);
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = "Delete a topic and all its data.",
      footer = {"", "Examples:", "  keel topic delete orders"})
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "NAME", description = "Topic name.")
    String name;

    @Override
    public Integer call() throws Exception {
      try (KeelAdmin admin = client.admin()) {
        admin.deleteTopics(List.of(name)).all().get();
      }
      client
          .out()
          .print(
              Map.of("topic", name, "deleted", true),
              new Output.Table("TOPIC", "STATUS").row(name, "deleted"));
      return 0;
    }
  }
}
