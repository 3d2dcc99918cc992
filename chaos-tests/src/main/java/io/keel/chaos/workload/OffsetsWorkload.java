package io.keel.chaos.workload;

import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Op;
import io.keel.chaos.nemesis.ClusterView;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelConsumer;
import io.keel.client.OffsetAndMetadata;
import io.keel.client.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Concurrent commits and reads of one memberless group's offsets. Each commit writes a value drawn
 * from a per-partition counter when it is invoked, so a commit invoked after another completed
 * always writes more: a lower value read later is a regression or a stale read.
 */
public final class OffsetsWorkload implements Workload {
  static final String TOPIC = "chaos-offsets";
  static final String GROUP = "chaos-offsets-group";
  private static final int PARTITIONS = 2;
  private static final int WRITERS = 3;
  private static final int READERS = 2;
  private static final int FIRST_WRITER = 300;
  private static final int FIRST_READER = 310;
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PACE = Duration.ofMillis(5);
  private static final Duration ERROR_BACKOFF = Duration.ofMillis(200);

  private final Workers workers = new Workers("offsets");
  private final OpenClients clients = new OpenClients();
  private final List<String> notes = new ArrayList<>();
  private final AtomicLongArray counters = new AtomicLongArray(PARTITIONS);
  private WorkloadContext context;
  private KeelClients factory;
  private KeelAdmin admin;

  @Override
  public String name() {
    return "offsets";
  }

  @Override
  public void setUp(WorkloadContext ctx) throws Exception {
    context = ctx;
    factory = new KeelClients(ctx.bootstrapServers());
    admin = clients.track(factory.admin("chaos-offsets-admin"));
    Topics.create(admin, TOPIC, PARTITIONS, Math.min(3, ctx.nodeAddresses().size()), SETUP_TIMEOUT);
    if (!GroupProbe.offsetsServed(factory, TOPIC, GROUP)) {
      notes.add("cluster serves no group offsets: the offsets workload records only failures");
    }
  }

  @Override
  public void start() {
    for (int i = 0; i < WRITERS; i++) {
      int process = FIRST_WRITER + i;
      KeelConsumer<Long, Long> c = clients.track(factory.consumer("chaos-committer-" + i, GROUP));
      Random random = new Random(context.seed() * 17 + i);
      workers.start(() -> loop(() -> commit(process, c, random.nextInt(PARTITIONS))));
    }
    for (int i = 0; i < READERS; i++) {
      int process = FIRST_READER + i;
      KeelConsumer<Long, Long> c =
          clients.track(factory.consumer("chaos-offset-reader-" + i, GROUP));
      workers.start(() -> loop(() -> read(process, c)));
    }
  }

  private void loop(BooleanSupplier op) {
    try {
      while (workers.running()) {
        Thread.sleep(op.getAsBoolean() ? PACE.toMillis() : ERROR_BACKOFF.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean commit(int process, KeelConsumer<Long, Long> c, int partition) {
    HistoryRecorder history = context.history();
    long value = counters.incrementAndGet(partition);
    Op.Commit op = new Op.Commit(GROUP, Map.of(partition, value));
    history.invoke(process, op);
    try {
      c.commitSync(
          Map.of(new TopicPartition(TOPIC, partition), new OffsetAndMetadata(value)),
          Duration.ofMillis(KeelClients.API_TIMEOUT_MS));
      history.ok(process, op);
      return true;
    } catch (RuntimeException e) {
      history.info(process, op, Errors.describe(e));
      return false;
    }
  }

  private boolean read(int process, KeelConsumer<Long, Long> c) {
    HistoryRecorder history = context.history();
    Op.ReadOffsets invoke = new Op.ReadOffsets(GROUP, Map.of());
    history.invoke(process, invoke);
    Set<TopicPartition> tps =
        IntStream.range(0, PARTITIONS)
            .mapToObj(p -> new TopicPartition(TOPIC, p))
            .collect(Collectors.toSet());
    try {
      Map<Integer, Long> offsets = new TreeMap<>();
      c.committed(tps).forEach((tp, om) -> offsets.put(tp.partition(), om.offset()));
      history.ok(process, new Op.ReadOffsets(GROUP, offsets));
      return true;
    } catch (RuntimeException e) {
      // A read changes nothing: it certainly did not happen as far as the checker cares.
      history.fail(process, invoke, Errors.describe(e));
      return false;
    }
  }

  @Override
  public void stop(Duration timeout) throws InterruptedException {
    workers.stop(timeout);
  }

  @Override
  public void finalRead(Duration timeout) {
    // Offset reads run throughout; the checker needs no extra read at the end.
  }

  @Override
  public ClusterView clusterView() {
    return new AdminClusterView(admin, TOPIC, PARTITIONS);
  }

  @Override
  public ReplicaLogs replicaLogs(Map<Integer, Path> dataDirs) {
    return ReplicaLogs.none();
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
