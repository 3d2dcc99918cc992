package io.keel.broker.partition;

import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.MetadataListener;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.QuorumController;
import io.keel.broker.controller.TopicConfigs;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.group.GroupCoordinatorService;
import io.keel.broker.raft.FreshStart;
import io.keel.broker.raft.GroupRuntime;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.replica.FreshStarts;
import io.keel.logstore.PartitionLog;
import io.keel.logstore.RetentionPolicy;
import io.keel.raft.Checks;
import io.keel.raft.Membership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's partition replicas as the metadata says: starts a Raft group with a {@link
 * PartitionStateMachine} for every partition assigned here, stops it (deleting its data) when its
 * topic is deleted, applies retention periodically and publishes per-partition gauges.
 */
public final class PartitionManager implements MetadataListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

  /**
   * @param maxProducerIds producers whose idempotence state each partition keeps
   * @param defaultRetention retention of topics that set neither retention.ms nor retention.bytes
   * @param retentionCheckInterval how often retention runs
   * @param statusInterval how often the per-partition gauges are refreshed
   */
  public record Settings(
      int maxProducerIds,
      RetentionPolicy defaultRetention,
      Duration retentionCheckInterval,
      Duration statusInterval) {
    public Settings {
      Checks.arg(maxProducerIds > 0, "maxProducerIds must be > 0, was %s", maxProducerIds);
      Checks.arg(retentionCheckInterval.toMillis() > 0, "retentionCheckInterval must be >= 1 ms");
      Checks.arg(statusInterval.toMillis() > 0, "statusInterval must be >= 1 ms");
    }

    public static Settings defaults() {
      return new Settings(
          10_000,
          RetentionPolicy.ofTime(Duration.ofDays(7)),
          Duration.ofMinutes(1),
          Duration.ofSeconds(1));
    }
  }

  private final int nodeId;
  private final GroupRuntime runtime;
  private final LongFunction<PartitionLog> logs;
  private final MetadataView metadata;
  private final MeterRegistry meters;
  private final ScheduledExecutorService scheduler;
  private final Settings settings;
  private final InstantSource clock;
  private final Map<String, Map<Integer, Running>> byTopic = new ConcurrentHashMap<>();
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  // Log reads of fetches run here, never on the Raft event loops.
  private final ExecutorService reads =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          Thread.ofPlatform().name("partition-read-", 0).daemon().factory());
  // Guarded by this: partitions are started and stopped only by metadata notifications.
  private final Map<Long, Running> byGroup = new HashMap<>();

  /** A running replica, its gauges and its last published status. */
  private static final class Running {
    final PartitionReplica replica;
    final List<Meter> meters = new ArrayList<>();
    volatile PartitionStatus status = PartitionStatus.UNKNOWN;
    // Loop only: the commit index seen at the previous status refresh.
    long previousCommitIndex;

    Running(PartitionReplica replica) {
      this.replica = replica;
    }
  }

  public PartitionManager(
      int nodeId,
      GroupRuntime runtime,
      LongFunction<PartitionLog> logs,
      MetadataView metadata,
      MeterRegistry meters,
      ScheduledExecutorService scheduler,
      Settings settings,
      InstantSource clock) {
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.logs = logs;
    this.metadata = metadata;
    this.meters = meters;
    this.scheduler = scheduler;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts following the metadata and the periodic retention and status tasks. */
  public void start() {
    metadata.addListener(this);
    long retentionMs = settings.retentionCheckInterval().toMillis();
    long statusMs = settings.statusInterval().toMillis();
    tasks.add(
        scheduler.scheduleWithFixedDelay(
            this::runRetention, retentionMs, retentionMs, TimeUnit.MILLISECONDS));
    tasks.add(
        scheduler.scheduleWithFixedDelay(
            this::refreshStatus, statusMs, statusMs, TimeUnit.MILLISECONDS));
  }

  /** The local replica of {@code topic}-{@code partition}, if this node hosts one. */
  public Optional<PartitionReplica> replica(String topic, int partition) {
    Map<Integer, Running> parts = byTopic.get(topic);
    Running r = parts == null ? null : parts.get(partition);
    return r == null ? Optional.empty() : Optional.of(r.replica);
  }

  /** Every local replica. */
  public Collection<PartitionReplica> replicas() {
    List<PartitionReplica> out = new ArrayList<>();
    byTopic.values().forEach(parts -> parts.values().forEach(r -> out.add(r.replica)));
    return out;
  }

  /** The last published status of a local replica. */
  public Optional<PartitionStatus> status(String topic, int partition) {
    Map<Integer, Running> parts = byTopic.get(topic);
    Running r = parts == null ? null : parts.get(partition);
    return r == null ? Optional.empty() : Optional.of(r.status);
  }

  @Override
  public synchronized void onMetadataChange(MetadataImage previous, MetadataImage current) {
    Map<Long, PartitionId> wanted = new HashMap<>();
    Map<Long, List<Integer>> replicasOf = new HashMap<>();
    for (TopicInfo topic : current.topics().values()) {
      if (topic.name().equals(GroupCoordinatorService.OFFSETS_TOPIC)) {
        continue; // hosted by the group coordinator with its own state machine
      }
      for (int p = 0; p < topic.partitions(); p++) {
        if (topic.replicas(p).contains(nodeId)) {
          long groupId = topic.groupId(p);
          wanted.put(groupId, new PartitionId(topic.name(), p, groupId));
          replicasOf.put(groupId, topic.replicas(p));
        }
      }
    }
    for (Long groupId : new HashSet<>(byGroup.keySet())) {
      if (!wanted.containsKey(groupId)) {
        stopPartition(groupId);
      }
    }
    wanted.forEach(
        (groupId, id) -> {
          if (!byGroup.containsKey(groupId)) {
            startPartition(
                id,
                replicasOf.get(groupId),
                FreshStarts.of(
                    previous, groupId, runtime.fenceIndex(QuorumController.METADATA_GROUP_ID)));
          }
        });
  }

  /**
   * Drops this node's replica of {@code topic}-{@code partition} (quarantined or not) with its data
   * and starts it again empty, behind a term fence: it catches up from the leader like a new
   * replica. Returns the group id.
   *
   * @throws IllegalArgumentException if this node hosts no replica of that partition
   */
  public synchronized long rebuild(String topic, int partition) {
    Map<Integer, Running> parts = byTopic.get(topic);
    Running running = parts == null ? null : parts.get(partition);
    if (running == null) {
      throw new IllegalArgumentException(
          "node " + nodeId + " hosts no replica of " + topic + "-" + partition);
    }
    PartitionId id = running.replica.id();
    List<Integer> replicas =
        metadata.topic(topic).map(t -> t.replicas(partition)).orElse(List.of(nodeId));
    stopPartition(id.groupId());
    LOG.warn("rebuilding partition {} (group {}) from replicas {}", id, id.groupId(), replicas);
    startPartition(id, replicas, FreshStart.REJOIN);
    return id.groupId();
  }

  private void startPartition(PartitionId id, List<Integer> replicas, FreshStart fresh) {
    PartitionStateMachine sm =
        new PartitionStateMachine(id, logs.apply(id.groupId()), settings.maxProducerIds());
    RaftGroup group =
        runtime.startGroup(id.groupId(), Membership.ofVoters(Set.copyOf(replicas)), sm, fresh);
    sm.attach(group);
    Running running = new Running(new PartitionReplica(sm, group, reads));
    registerGauges(running);
    byGroup.put(id.groupId(), running);
    byTopic
        .computeIfAbsent(id.topic(), t -> new ConcurrentHashMap<>())
        .put(id.partition(), running);
    LOG.info("started partition {} (group {}) with replicas {}", id, id.groupId(), replicas);
  }

  private void stopPartition(long groupId) {
    Running running = byGroup.remove(groupId);
    PartitionId id = running.replica.id();
    Map<Integer, Running> parts = byTopic.get(id.topic());
    if (parts != null) {
      parts.remove(id.partition());
      if (parts.isEmpty()) {
        byTopic.remove(id.topic());
      }
    }
    running.meters.forEach(meters::remove);
    runtime.stopGroup(groupId, true);
    LOG.info("stopped partition {} (group {}) and deleted its data", id, groupId);
  }

  private void registerGauges(Running r) {
    PartitionId id = r.replica.id();
    Tags tags = Tags.of("topic", id.topic(), "partition", Integer.toString(id.partition()));
    r.meters.add(gauge("keel_partition_leader", tags, r, s -> s.leader() ? 1 : 0));
    r.meters.add(gauge("keel_partition_high_watermark", tags, r, PartitionStatus::highWatermark));
    r.meters.add(gauge("keel_partition_log_end_offset", tags, r, PartitionStatus::logEndOffset));
    r.meters.add(
        gauge("keel_partition_log_start_offset", tags, r, PartitionStatus::logStartOffset));
    r.meters.add(
        gauge("keel_partition_under_replicated", tags, r, s -> s.underReplicated() ? 1 : 0));
  }

  private Meter gauge(String name, Tags tags, Running r, ToDoubleFunction<PartitionStatus> f) {
    return Gauge.builder(name, r, x -> f.applyAsDouble(x.status)).tags(tags).register(meters);
  }

  private List<Running> running() {
    synchronized (this) {
      return List.copyOf(byGroup.values());
    }
  }

  private void refreshStatus() {
    for (Running r : running()) {
      r.replica.onLoop(sm -> refreshOnLoop(r, sm));
    }
  }

  private Void refreshOnLoop(Running r, PartitionStateMachine sm) {
    RaftGroup group = r.replica.group();
    boolean underReplicated = false;
    if (sm.isLeader()) {
      Map<Integer, Long> matches = group.followerMatchIndexes();
      for (int voter : group.membership().voters()) {
        long match = matches.getOrDefault(voter, 0L);
        // Lagging: not even caught up to what was committed one refresh interval ago.
        if (voter != nodeId && match < r.previousCommitIndex) {
          underReplicated = true;
        }
      }
      r.previousCommitIndex = group.commitIndex();
    }
    r.status =
        new PartitionStatus(
            sm.isLeader(),
            group.leaderId(),
            sm.leaderEpoch(),
            sm.highWatermark(),
            sm.logStartOffset(),
            sm.logEndOffset(),
            underReplicated);
    return null;
  }

  private void runRetention() {
    long nowMs = clock.millis();
    for (Running r : running()) {
      RetentionPolicy policy = retentionOf(r.replica.id().topic());
      r.replica
          .onLoop(sm -> sm.applyRetention(nowMs, policy))
          .whenComplete(
              (bytes, err) -> {
                if (err != null) {
                  LOG.warn("retention of {} failed", r.replica.id(), err);
                } else if (bytes > 0) {
                  LOG.info("retention removed {} bytes of {}", bytes, r.replica.id());
                }
              });
    }
  }

  /** The topic's retention.ms / retention.bytes over the broker defaults; -1 is unlimited. */
  RetentionPolicy retentionOf(String topic) {
    Map<String, String> configs = metadata.topic(topic).map(TopicInfo::configs).orElse(Map.of());
    Duration time = settings.defaultRetention().retentionTime();
    long bytes = settings.defaultRetention().retentionBytes();
    String ms = configs.get(TopicConfigs.RETENTION_MS);
    if (ms != null) {
      long v = Long.parseLong(ms.trim());
      time = v == -1 ? RetentionPolicy.UNLIMITED_TIME : Duration.ofMillis(v);
    }
    String b = configs.get(TopicConfigs.RETENTION_BYTES);
    if (b != null) {
      bytes = Long.parseLong(b.trim());
    }
    return new RetentionPolicy(time, bytes);
  }

  /** Stops following the metadata and stops every replica, keeping their data. */
  @Override
  public void close() {
    metadata.removeListener(this);
    tasks.forEach(t -> t.cancel(false));
    synchronized (this) {
      for (Map.Entry<Long, Running> e : byGroup.entrySet()) {
        e.getValue().meters.forEach(meters::remove);
        runtime.stopGroup(e.getKey(), false);
      }
      byGroup.clear();
      byTopic.clear();
    }
    reads.shutdown();
  }
}
