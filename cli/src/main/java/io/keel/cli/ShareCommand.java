package io.keel.cli;

import io.keel.client.ConsumerRecord;
import io.keel.client.KeelAdmin;
import io.keel.client.Serdes;
import io.keel.client.UnknownTopicException;
import io.keel.client.share.AcknowledgeType;
import io.keel.client.share.DeliverAt;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.KeelShareConsumerConfig;
import io.keel.client.share.ShareAcknowledgementException;
import io.keel.client.share.ShareGroupDescription;
import io.keel.client.share.ShareRecord;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keel share ...}: task queues on the log (share groups, docs/queues.md). */
@Command(
    name = "share",
    description = "Share groups (task queues): consume as a member, describe a group.",
    subcommands = {ShareCommand.Consume.class, ShareCommand.Describe.class})
final class ShareCommand {

  /** What {@code share consume} does with each record it printed. */
  enum Ack {
    accept(AcknowledgeType.ACCEPT),
    release(AcknowledgeType.RELEASE),
    reject(AcknowledgeType.REJECT);

    final AcknowledgeType type;

    Ack(AcknowledgeType type) {
      this.type = type;
    }
  }

  @Command(
      name = "consume",
      description =
          "Take records of a topic as a member of a share group, print each (the value, by"
              + " default) and acknowledge it: accept (done), release (redelivered, to any"
              + " member, counting a delivery) or reject (to the dead-letter topic). Records taken"
              + " but not printed (past --max-messages, or after Ctrl-C) are released. Exits"
              + " after --max-messages, --timeout without news, or Ctrl-C (exit 130). A summary"
              + " goes to standard error.",
      footer = {
        "",
        "Format directives: as `keel consume` (%%k %%v %%p %%o %%t %%T \\t \\n), plus",
        "%%d delivery count and %%a deliver-at time (ms since the epoch, or -).",
        "",
        "Examples:",
        "  keel share consume resize --group resizers --max-messages 10",
        "  keel share consume resize --group resizers --ack release --timeout 5s",
        "  keel share consume resize --group resizers --ack reject --max-messages 1",
        "  keel share consume resize --group resizers --format '%%o #%%d %%v\\n'"
      })
  static final class Consume implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int MAX_POLL_RECORDS = 500;

    @Spec CommandSpec spec;

    @Mixin ClientOptions client;

    @Parameters(paramLabel = "TOPIC", description = "Topic to take records from.")
    String topic;

    @Option(
        names = {"-g", "--group"},
        required = true,
        description = "The share group to join.")
    String group;

    @Option(
        names = "--ack",
        defaultValue = "accept",
        paramLabel = "TYPE",
        description = "accept, release or reject each printed record (default: accept).")
    Ack ack;

    @Mixin ReadLimits limits;

    /** One record as printed with {@code -o json}. */
    record JsonRecord(
        String topic,
        int partition,
        long offset,
        long timestamp,
        String key,
        String value,
        int deliveryCount,
        Long deliverAtMs,
        String acknowledged) {}

    /** What the command did: printed records and how many acknowledgements the broker refused. */
    private record Tally(long printed, long released, long refused) {}

    @Override
    public Integer call() {
      try (KeelAdmin admin = client.admin()) {
        ConsumeCommand.describeOrFail(admin, topic);
      }
      try (StopSignal stop = StopSignal.install(STOP_GRACE)) {
        Tally tally;
        try (KeelShareConsumer<String, String> member =
            new KeelShareConsumer<>(
                config(), Serdes.stringDeserializer(), Serdes.stringDeserializer())) {
          member.subscribe(List.of(topic));
          tally = drain(member, stop);
        }
        printSummary(tally);
        return stop.requested() ? StopSignal.EXIT_INTERRUPTED : 0;
      }
    }

    private KeelShareConsumerConfig config() {
      long perPoll = Math.min(MAX_POLL_RECORDS, limits.remaining(0));
      return KeelShareConsumerConfig.of(
          Map.of(
              "bootstrap.servers",
              String.join(",", client.bootstrapServers()),
              "group.id",
              group,
              "client.id",
              "keel-share-consume",
              "share.acknowledgement.mode",
              "explicit",
              "max.poll.records",
              Long.toString(perPoll),
              "fetch.max.wait.ms",
              Long.toString(POLL.toMillis())));
    }

    /** Prints and acknowledges until --max-messages, --timeout or Ctrl-C. */
    private Tally drain(KeelShareConsumer<String, String> member, StopSignal stop) {
      PrintStream out = System.out;
      Output json = client.out();
      RecordFormat render = limits.recordFormat();
      long printed = 0;
      long released = 0;
      long refused = 0;
      long idleDeadline = limits.idleDeadlineFrom(System.nanoTime());
      while (!limits.reached(printed) && !stop.requested()) {
        List<ShareRecord<String, String>> records = member.pollShare(POLL);
        for (ShareRecord<String, String> delivered : records) {
          ConsumerRecord<String, String> r = delivered.record();
          if (limits.reached(printed) || stop.requested()) {
            member.acknowledge(r, AcknowledgeType.RELEASE); // taken, never shown: give it back
            released++;
            continue;
          }
          Long due = DeliverAt.of(r).map(Instant::toEpochMilli).orElse(null);
          if (json.json()) {
            json.printJson(
                new JsonRecord(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.timestamp(),
                    r.key(),
                    r.value(),
                    delivered.deliveryCount(),
                    due,
                    ack.name()));
          } else {
            String count = Integer.toString(delivered.deliveryCount());
            out.print(
                render.render(r, Map.of('d', count, 'a', due == null ? "-" : due.toString())));
          }
          member.acknowledge(r, ack.type);
          printed++;
        }
        out.flush();
        refused += commit(member);
        if (!records.isEmpty()) {
          idleDeadline = limits.idleDeadlineFrom(System.nanoTime());
        } else if (System.nanoTime() > idleDeadline) {
          break;
        }
      }
      return new Tally(printed, released, refused);
    }

    /** Sends the acknowledgements; returns how many the broker refused (those come back). */
    private long commit(KeelShareConsumer<String, String> member) {
      try {
        member.commitSync();
        return 0;
      } catch (ShareAcknowledgementException e) {
        long count = e.failures().values().stream().mapToLong(Map::size).sum();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("keel: warning: %d acknowledgements refused: %s%n", count, e.failures());
        err.flush();
        return count;
      }
    }

    private void printSummary(Tally tally) {
      String released =
          tally.released() == 0 ? "" : String.format("; released %d not printed", tally.released());
      String refused =
          tally.refused() == 0
              ? ""
              : String.format("; %d acknowledgements refused (redelivered)", tally.refused());
      PrintWriter err = spec.commandLine().getErr();
      err.printf(
          "keel: share group %s: %s %d records from %s%s%s%n",
          group, ack.name(), tally.printed(), topic, released, refused);
      err.flush();
    }
  }

  @Command(
      name = "describe",
      description =
          "A share group's members and, per partition, its window: in flight, acquired, delayed,"
              + " dead-letter pending and dead-lettered counts, the highest delivery count,"
              + " redeliveries, lock expiries, the oldest unacknowledged record's age and lag;"
              + " then each dead-letter topic's depth (all groups' dead letters of that topic).",
      footer = {
        "",
        "Examples:",
        "  keel share describe resizers",
        "  keel share describe resizers -o json"
      })
  static final class Describe implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "GROUP")
    String group;

    /** The JSON output: the group and each dead-letter topic's depth (null: not created yet). */
    record Json(ShareGroupDescription group, Map<String, Long> deadLetterTopics) {}

    @Override
    public Integer call() throws Exception {
      ShareGroupDescription d;
      Map<String, Long> depths = new TreeMap<>();
      try (KeelAdmin admin = client.admin()) {
        d = admin.describeShareGroup(group).get();
        if (d.members().isEmpty() && d.partitions().isEmpty()) {
          throw new CliFailure(
              ErrorHandler.EXIT_FAILURE,
              "share group '"
                  + group
                  + "' does not exist (no member has joined it); start one with `keel share"
                  + " consume TOPIC --group "
                  + group
                  + "`",
              null);
        }
        d.partitions().stream()
            .map(p -> d.deadLetterTopic(p.partition().topic()))
            .distinct()
            .forEach(dlq -> depths.put(dlq, depth(admin, dlq)));
      }
      Output out = client.out();
      if (out.json()) {
        out.printJson(new Json(d, depths));
        return 0;
      }
      out.line(
          String.format(
              "SHARE GROUP %s  members %d  dead letters to <topic>%s",
              d.groupId(), d.members().size(), d.deadLetterTopicSuffix()));
      Output.Table members = new Output.Table("MEMBER", "CLIENT", "TOPICS", "ACQUIRED");
      d.members()
          .forEach(
              m ->
                  members.row(
                      m.memberId(),
                      m.clientId(),
                      String.join(",", m.subscribedTopics()),
                      m.acquired()));
      out.line(members.render());
      Output.Table partitions =
          new Output.Table(
              "TOPIC",
              "PARTITION",
              "START",
              "END",
              "HIGH-WATERMARK",
              "LAG",
              "IN-FLIGHT",
              "ACQUIRED",
              "DELAYED",
              "DLQ-PENDING",
              "DEAD-LETTERED",
              "MAX-DELIVERIES",
              "REDELIVERIES",
              "LOCK-EXPIRIES",
              "OLDEST-UNACKED-MS");
      for (ShareGroupDescription.Partition p : d.partitions()) {
        partitions.row(
            p.partition().topic(),
            p.partition().partition(),
            p.startOffset(),
            p.endOffset(),
            p.highWatermark() < 0 ? "-" : p.highWatermark(),
            p.lag() < 0 ? "-" : p.lag(),
            p.inFlight(),
            p.acquired(),
            p.delayed(),
            p.deadLetterPending(),
            p.deadLettered(),
            p.maxDeliveryCount(),
            p.redeliveries(),
            p.lockExpiries(),
            p.oldestUnackedAgeMs());
      }
      out.line(partitions.render());
      Output.Table dlq = new Output.Table("DEAD-LETTER-TOPIC", "RECORDS");
      depths.forEach((topic, records) -> dlq.row(topic, records == null ? "-" : records));
      out.print(d, dlq);
      return 0;
    }

    /** Records in a dead-letter topic (high watermark minus log start); null before it exists. */
    private static Long depth(KeelAdmin admin, String topic) {
      try {
        return admin.describeTopics(List.of(topic)).all().join().get(topic).partitions().stream()
            .mapToLong(p -> Math.max(0, p.highWatermark() - p.logStartOffset()))
            .sum();
      } catch (CompletionException e) {
        if (e.getCause() instanceof UnknownTopicException) {
          return null;
        }
        throw e;
      }
    }
  }
}
