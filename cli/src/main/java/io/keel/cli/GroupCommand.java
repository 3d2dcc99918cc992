package io.keel.cli;

import io.keel.client.GroupDescription;
import io.keel.client.GroupListing;
import io.keel.client.KeelAdmin;
import io.keel.client.OffsetResetSpec;
import io.keel.client.TopicPartition;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel group ...}: inspect and manage consumer groups. */
@Command(
    name = "group",
    description = "List, describe, reset and delete consumer groups.",
    subcommands = {
      GroupCommand.ListGroups.class,
      GroupCommand.Describe.class,
      GroupCommand.ResetOffsets.class,
      GroupCommand.Delete.class
    })
final class GroupCommand {

  @Command(
      name = "list",
      description = "List consumer groups.",
      footer = {"", "Examples:", "  keel group list"})
  static final class ListGroups implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
      List<GroupListing> groups;
      try (KeelAdmin admin = client.admin()) {
        groups = admin.listGroups().get();
      }
      Output.Table table = new Output.Table("GROUP", "STATE", "COORDINATOR");
      groups.forEach(g -> table.row(g.groupId(), g.state(), g.coordinatorId()));
      client.out().print(groups, table);
      return 0;
    }
  }

  @Command(
      name = "describe",
      description = "Members, assignment, committed offsets and lag of a group.",
      footer = {
        "",
        "Examples:",
        "  keel group describe billing",
        "  keel group describe billing -o json"
      })
  static final class Describe implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "GROUP")
    String group;

    @Override
    public Integer call() throws Exception {
      GroupDescription description;
      try (KeelAdmin admin = client.admin()) {
        description = admin.describeGroup(group).get();
      }
      Output out = client.out();
      out.line(
          String.format(
              "GROUP %s  state %s  epoch %d  coordinator %s  members %d",
              description.groupId(),
              description.state(),
              description.groupEpoch(),
              description.coordinator() == null ? "none" : description.coordinator().id(),
              description.members().size()));
      Output.Table table =
          new Output.Table("TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER");
      for (GroupDescription.PartitionLag lag : description.offsets()) {
        table.row(
            lag.partition().topic(),
            lag.partition().partition(),
            lag.committedOffset() < 0 ? "-" : lag.committedOffset(),
            lag.logEndOffset(),
            lag.lag() < 0 ? "-" : lag.lag(),
            lag.memberId() == null || lag.memberId().isEmpty() ? "-" : lag.memberId());
      }
      out.print(description, table);
      return 0;
    }
  }

  @Command(
      name = "reset-offsets",
      description = "Move a group's committed offsets on a topic (the group must be empty).",
      footer = {
        "",
        "Examples:",
        "  keel group reset-offsets billing --topic orders --to-earliest",
        "  keel group reset-offsets billing --topic orders --to-offset 1000",
        "  keel group reset-offsets billing --topic orders --to-datetime 2026-11-21T10:00:00Z"
      })
  static final class ResetOffsets implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "GROUP")
    String group;

    @Option(names = "--topic", required = true)
    String topic;

    @ArgGroup(multiplicity = "1")
    Target target;

    @Option(names = "--dry-run", description = "Show the new offsets without committing them.")
    boolean dryRun;

    static final class Target {
      @Option(names = "--to-earliest", required = true)
      boolean earliest;

      @Option(names = "--to-latest", required = true)
      boolean latest;

      @Option(names = "--to-offset", required = true, paramLabel = "N")
      Long offset;

      @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601")
      OffsetDateTime datetime;

      OffsetResetSpec spec() {
        if (earliest) {
          return new OffsetResetSpec.Earliest();
        } else if (latest) {
          return new OffsetResetSpec.Latest();
        } else if (offset != null) {
          return new OffsetResetSpec.ToOffset(offset);
        }
        return new OffsetResetSpec.ToTimestamp(datetime.toInstant().toEpochMilli());
      }
    }

    @Override
    public Integer call() throws Exception {
      Map<TopicPartition, Long> offsets;
      try (KeelAdmin admin = client.admin()) {
        offsets = admin.resetOffsets(group, topic, target.spec(), dryRun).get();
      }
      Output.Table table = new Output.Table("TOPIC", "PARTITION", "NEW-OFFSET");
      offsets.entrySet().stream()
          .sorted(Map.Entry.comparingByKey(Comparator.comparingInt(TopicPartition::partition)))
          .forEach(e -> table.row(e.getKey().topic(), e.getKey().partition(), e.getValue()));
      client.out().print(offsets, table);
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = "Delete an empty group and its committed offsets.",
      footer = {"", "Examples:", "  keel group delete billing"})
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "GROUP")
    String group;

    @Override
    public Integer call() throws Exception {
      try (KeelAdmin admin = client.admin()) {
        admin.deleteGroup(group).get();
      }
      client
          .out()
          .print(
              Map.of("group", group, "deleted", true),
              new Output.Table("GROUP", "STATUS").row(group, "deleted"));
      return 0;
    }
  }
}
