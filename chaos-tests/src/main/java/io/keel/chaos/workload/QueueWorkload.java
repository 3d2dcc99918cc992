package io.keel.chaos.workload;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Rec;
import io.keel.chaos.nemesis.ClusterView;
import io.keel.chaos.replica.OfflineReplicas;
import io.keel.client.ConsumerRecord;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelProducer;
import io.keel.client.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Producers send unique values to the partitions of one topic; consumers poll and commit; after
 * healing, a final consumer reads every partition from offset 0 to its high watermark.
 */
public final class QueueWorkload implements Workload {
  static final String TOPIC = "chaos-queue";
  static final String GROUP = "chaos-queue-group";
  private static final int PARTITIONS = 4;
  private static final int PRODUCERS = PARTITIONS;
  private static final int CONSUMERS = 2;
  private static final int FIRST_CONSUMER = 100;
  private static final int FINAL_READER = 200;
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ATTEMPT = Duration.ofSeconds(20);

  private final boolean leaderAcks;
  private final Workers workers = new Workers("queue");
  private final OpenClients clients = new OpenClients();
  private final List<String> notes = new ArrayList<>();
  private WorkloadContext context;
  private KeelClients factory;
  private KeelAdmin admin;
  private QueueConsumer.Mode consumerMode;
  private Map<Integer, Long> finalEnds = Map.of();

  /**
   * @param leaderAcks producers use acks=1 (acknowledged after the leader's own append): unsafe,
   *     for proving the checker catches lost writes
   */
  public QueueWorkload(boolean leaderAcks) {
    this.leaderAcks = leaderAcks;
  }

  @Override
  public String name() {
    return "queue";
  }

  @Override
  public void setUp(WorkloadContext ctx) throws Exception {
    context = ctx;
    factory = new KeelClients(ctx.bootstrapServers());
    admin = clients.track(factory.admin("chaos-queue-admin"));
    int rf = Math.min(3, ctx.nodeAddresses().size());
    Topics.create(admin, TOPIC, PARTITIONS, rf, SETUP_TIMEOUT);
    consumerMode = GroupProbe.queueMode(factory, TOPIC, GROUP, notes);
    if (leaderAcks) {
      notes.add("UNSAFE: producers use acks=1 (leader append only); lost writes are expected");
    }
  }

  @Override
  public void start() {
    HistoryRecorder history = context.history();
    AtomicLong values = new AtomicLong(1);
    boolean idempotence = context.idempotence() && !leaderAcks;
    for (int i = 0; i < PRODUCERS; i++) {
      KeelProducer<Long, Long> producer =
          clients.track(factory.producer("chaos-producer-" + i, idempotence, leaderAcks));
      workers.start(
          new QueueProducer(i, producer, TOPIC, i % PARTITIONS, values, history, workers::running));
    }
    for (int i = 0; i < CONSUMERS; i++) {
      int c = i;
      List<Integer> share =
          IntStream.range(0, PARTITIONS).filter(p -> p % CONSUMERS == c).boxed().toList();
      // Without group offsets, a group.id would only make every poll look for a coordinator.
      String group = consumerMode == QueueConsumer.Mode.ASSIGN_ONLY ? null : GROUP;
      KeelConsumer<Long, Long> consumer =
          clients.track(factory.consumer("chaos-consumer-" + i, group));
      workers.start(
          new QueueConsumer(
              FIRST_CONSUMER + i,
              consumer,
              TOPIC,
              GROUP,
              consumerMode,
              share,
              history,
              workers::running));
    }
  }

  @Override
  public void stop(Duration timeout) throws InterruptedException {
    workers.stop(timeout);
  }

  @Override
  public void finalRead(Duration timeout) throws Exception {
    HistoryRecorder history = context.history();
    history.invoke(FINAL_READER, new Op.FinalRead(List.of()));
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      // A fresh consumer per attempt: the client's offset lookups retry on the metadata they
      // started with, so a consumer that first saw a stale leader would never get past it.
      try (KeelConsumer<Long, Long> reader = factory.consumer("chaos-final-reader", null)) {
        long attemptDeadline = Math.min(deadline, System.nanoTime() + ATTEMPT.toNanos());
        List<Rec> all = readAll(reader, attemptDeadline);
        history.ok(FINAL_READER, new Op.FinalRead(all));
        crossCheckHighWatermarks();
        return;
      } catch (RuntimeException e) {
        last = e;
        notes.add("final read attempt failed: " + Errors.describe(e));
      }
    }
    history.fail(FINAL_READER, new Op.FinalRead(List.of()), Errors.describe(last));
    throw new IllegalStateException("final read did not succeed within " + timeout, last);
  }

  /** Every partition from offset 0 up to its end (ListOffsets latest) after healing. */
  private List<Rec> readAll(KeelConsumer<Long, Long> reader, long deadline)
      throws InterruptedException {
    List<TopicPartition> tps =
        IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    reader.assign(tps);
    reader.seekToEnd(tps);
    Map<Integer, Long> ends = new TreeMap<>();
    for (TopicPartition tp : tps) {
      ends.put(tp.partition(), reader.position(tp, remaining(deadline)));
    }
    finalEnds = ends;
    tps.forEach(tp -> reader.seek(tp, 0));
    List<Rec> out = new ArrayList<>();
    while (!reachedEnds(reader, tps, ends)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("final read did not reach " + ends + " in time");
      }
      for (ConsumerRecord<Long, Long> r : reader.poll(Duration.ofMillis(500))) {
        if (r.offset() < ends.get(r.partition())) {
          out.add(new Rec(r.partition(), r.offset(), r.value()));
        }
      }
    }
    return out;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  /**
   * Where describeTopics knows a high watermark (it answers -1 for partitions the answering node
   * does not lead), it should match ListOffsets on the healed, idle cluster.
   */
  private void crossCheckHighWatermarks() {
    try {
      Map<Integer, Long> described = Topics.highWatermarks(admin, TOPIC);
      boolean differs =
          described.entrySet().stream()
              .anyMatch(e -> e.getValue() >= 0 && !e.getValue().equals(finalEnds.get(e.getKey())));
      if (differs) {
        notes.add(
            "describeTopics high watermarks "
                + new TreeMap<>(described)
                + " differ from ListOffsets ends "
                + finalEnds);
      }
    } catch (Exception e) {
      notes.add("describeTopics after the final read failed: " + Errors.describe(e));
    }
  }

  private static boolean reachedEnds(
      KeelConsumer<Long, Long> reader, List<TopicPartition> tps, Map<Integer, Long> ends) {
    return tps.stream().allMatch(tp -> reader.position(tp) >= ends.get(tp.partition()));
  }

  @Override
  public ClusterView clusterView() {
    return new AdminClusterView(admin, TOPIC, PARTITIONS);
  }

  @Override
  public ReplicaLogs replicaLogs(Map<Integer, Path> dataDirs) {
    return OfflineReplicas.read(
        dataDirs, TOPIC, u -> notes.add("replica store not compared, " + u));
  }

  @Override
  public List<String> notes() {
    return List.copyOf(notes);
  }

  @Override
  public void close() {
    workers.abort();
    clients.closeAll();
  }
}
