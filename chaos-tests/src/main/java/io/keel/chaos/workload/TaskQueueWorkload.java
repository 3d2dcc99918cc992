package io.keel.chaos.workload;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.nemesis.ClusterView;
import io.keel.chaos.replica.OfflineReplicas;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelProducer;
import io.keel.client.TopicPartition;
import io.keel.client.share.KeelShareConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * A task queue on a share group: producers enqueue unique tasks (some delayed with {@code
 * keel.deliver.at}); more workers than partitions acquire them and mostly ACCEPT, sometimes
 * RELEASE, REJECT, RENEW-then-ACCEPT, leave them to expire, or close their consumer; a reader
 * follows the dead-letter topic. After healing, a drain worker accepts what is left until the
 * coordinator says every record is done, then the dead-letter topic is read whole. The brokers run
 * with a short lock and a small delivery limit so expiries and dead letters happen within the run.
 */
public final class TaskQueueWorkload implements Workload {
  static final String TOPIC = "chaos-tasks";
  static final String DLQ_TOPIC = TOPIC + ".dlq";
  static final String GROUP = "chaos-task-workers";
  static final int LOCK_MS = 2_500;
  static final int DELIVERY_LIMIT = 3;

  /** Every task id divisible by this is never accepted: it must end in the dead-letter topic. */
  static final int POISON_EVERY = 20;

  private static final int PARTITIONS = 3;
  private static final int WORKERS = 6;
  // Each poll and each commit is a Raft write of the coordinator (about 250 ms apiece on a loaded
  // 5-node sandbox): workers take 20 tasks a poll to keep up with the producers, the drain 200.
  private static final int WORKER_POLL_RECORDS = 20;
  private static final int DRAIN_POLL_RECORDS = 200;
  private static final int CLOSE_ONE_IN = 50;
  private static final int FIRST_PRODUCER = 400;
  private static final int FIRST_WORKER = 410;
  private static final int DLQ_READER = 420;
  private static final int DRAINER = 421;
  private static final int SETUP = 422;
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DLQ_READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

  private final boolean leaderAcks;
  private final TaskSabotage sabotage;
  private final Workers workers = new Workers("task-queue");
  private final OpenClients clients = new OpenClients();
  private final List<String> notes = new ArrayList<>();
  private final AtomicInteger incarnations = new AtomicInteger();
  private WorkloadContext context;
  private KeelClients factory;
  private KeelAdmin admin;
  private DeadLetterReader deadLetters;

  /**
   * @param leaderAcks producers use acks=1 (unsafe; lost tasks are expected)
   * @param sabotage a deliberately broken worker, for showing the checker catches it
   */
  public TaskQueueWorkload(boolean leaderAcks, TaskSabotage sabotage) {
    this.leaderAcks = leaderAcks;
    this.sabotage = sabotage;
  }

  @Override
  public String name() {
    return "task-queue";
  }

  @Override
  public Map<String, String> brokerSettings() {
    return Map.of(
        "share.record.lock.duration.ms", Integer.toString(LOCK_MS),
        "share.delivery.count.limit", Integer.toString(DELIVERY_LIMIT));
  }

  @Override
  public void setUp(WorkloadContext ctx) throws Exception {
    context = ctx;
    factory = new KeelClients(ctx.bootstrapServers());
    admin = clients.track(factory.admin("chaos-task-admin"));
    int rf = Math.min(3, ctx.nodeAddresses().size());
    Topics.create(admin, TOPIC, PARTITIONS, rf, SETUP_TIMEOUT);
    // Created here rather than on the first dead letter, with the same replication as the tasks.
    Topics.create(admin, DLQ_TOPIC, 1, rf, SETUP_TIMEOUT);
    Op.TaskQueueSetup setup = new Op.TaskQueueSetup(TOPIC, GROUP, DELIVERY_LIMIT, LOCK_MS);
    ctx.history().invoke(SETUP, setup);
    ctx.history().ok(SETUP, setup);
    if (leaderAcks) {
      notes.add("UNSAFE: task producers use acks=1 (leader append only); lost tasks are expected");
    }
    if (sabotage != TaskSabotage.NONE) {
      notes.add("SABOTAGED workers (" + sabotage + "): anomalies are expected");
    }
  }

  @Override
  public void start() {
    HistoryRecorder history = context.history();
    AtomicLong tasks = new AtomicLong(1);
    boolean idempotence = context.idempotence() && !leaderAcks;
    for (int i = 0; i < PARTITIONS; i++) {
      KeelProducer<Long, Long> producer =
          clients.track(factory.producer("chaos-task-producer-" + i, idempotence, leaderAcks));
      workers.start(
          new TaskProducer(
              FIRST_PRODUCER + i,
              producer,
              TOPIC,
              i,
              tasks,
              history,
              new Random(context.seed() * 31 + i),
              workers::running));
    }
    for (int i = 0; i < WORKERS; i++) {
      workers.start(
          new TaskWorker(
              FIRST_WORKER + i,
              () -> newMember(WORKER_POLL_RECORDS),
              TOPIC,
              history,
              new Random(context.seed() * 37 + i),
              TaskWorker.chaotic(POISON_EVERY),
              CLOSE_ONE_IN,
              sabotage,
              workers::running));
    }
    deadLetters = new DeadLetterReader(DLQ_READER, factory, DLQ_TOPIC, history, workers::running);
    workers.start(deadLetters);
  }

  private KeelShareConsumer<Long, Long> newMember(int maxPollRecords) {
    return clients.track(
        factory.shareConsumer(
            "chaos-task-worker-" + incarnations.getAndIncrement(), GROUP, maxPollRecords));
  }

  @Override
  public void stop(Duration timeout) throws InterruptedException {
    workers.stop(timeout);
  }

  /**
   * Drains the share group on the healed cluster, then reads the dead-letter topic whole. A drain
   * that does not finish in time is noted and the read is marked incomplete.
   */
  @Override
  public void finalRead(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.minus(DLQ_READ_TIMEOUT).toNanos();
    boolean drained = drain(deadline);
    if (!drained) {
      notes.add("task-queue drain did not finish: the coordinator still had records in flight");
    }
    deadLetters.readAll(DLQ_READ_TIMEOUT, drained);
  }

  private boolean drain(long deadline) throws InterruptedException {
    Map<Integer, Long> ends = endOffsets(deadline);
    TaskWorker drainer =
        new TaskWorker(
            DRAINER,
            () -> newMember(DRAIN_POLL_RECORDS),
            TOPIC,
            context.history(),
            new Random(context.seed()),
            TaskWorker.drain(POISON_EVERY),
            0,
            TaskSabotage.NONE,
            () -> true);
    try (ShareGroupProbe probe = new ShareGroupProbe(context.nodeAddresses(), GROUP)) {
      long nextProbe = System.nanoTime();
      while (System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextProbe) {
          if (probe.drained(TOPIC, ends)) {
            return true;
          }
          nextProbe = System.nanoTime() + PROBE_EVERY.toNanos();
        }
        if (!drainer.step()) {
          Thread.sleep(200); // the healed cluster may still be electing
        }
      }
      return false;
    } finally {
      drainer.leave();
    }
  }

  /** Each task partition's end (ListOffsets latest) once the producers have stopped. */
  private Map<Integer, Long> endOffsets(long deadline) throws InterruptedException {
    List<TopicPartition> tps =
        IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (KeelConsumer<Long, Long> reader = factory.consumer("chaos-task-ends", null)) {
        reader.assign(tps);
        reader.seekToEnd(tps);
        Map<Integer, Long> ends = new TreeMap<>();
        for (TopicPartition tp : tps) {
          ends.put(tp.partition(), reader.position(tp, Duration.ofSeconds(5)));
        }
        return ends;
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(200); // the healed cluster may still be electing
      }
    }
    throw new IllegalStateException("task partitions' end offsets unknown", last);
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
