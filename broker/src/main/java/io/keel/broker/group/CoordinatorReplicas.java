package io.keel.broker.group;

import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.MetadataListener;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.QuorumController;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.FreshStart;
import io.keel.broker.raft.GroupRuntime;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.replica.FreshStarts;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.NewTopic;
import io.keel.raft.Membership;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's replicas of {@code __consumer_offsets} as the metadata says (each with a {@link
 * CoordinatorStateMachine}), creates the topic on first need, and maps a group to its partition:
 * {@code (groupId.hashCode() & 0x7fffffff) % partitions} (Kafka's {@code Utils.toPositive(hash) %
 * n}), whose Raft leader is the group's coordinator.
 */
final class CoordinatorReplicas implements MetadataListener {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorReplicas.class);

  /** The internal topic holding group metadata and offsets. */
  static final String TOPIC = "__consumer_offsets";

  private final int nodeId;
  private final GroupRuntime runtime;
  private final MetadataView metadata;
  private final Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> creator;
  private final GroupLogic logic = GroupLogic.standard();
  private final GroupSettings settings;
  private final InstantSource clock;
  private final PartitionCoordinator.Events events;
  private final Map<Integer, PartitionCoordinator> byPartition = new ConcurrentHashMap<>();
  // Guarded by this.
  private final Map<Long, Integer> partitionOfGroup = new HashMap<>();
  private final AtomicBoolean creating = new AtomicBoolean();

  CoordinatorReplicas(
      int nodeId,
      GroupRuntime runtime,
      MetadataView metadata,
      Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> creator,
      GroupSettings settings,
      InstantSource clock,
      PartitionCoordinator.Events events) {
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.metadata = metadata;
    this.creator = creator;
    this.settings = settings;
    this.clock = clock;
    this.events = events;
  }

  static int partitionFor(String groupId, int partitions) {
    return (groupId.hashCode() & 0x7fffffff) % partitions;
  }

  @Override
  public synchronized void onMetadataChange(MetadataImage previous, MetadataImage current) {
    Map<Long, Integer> wanted = new HashMap<>();
    Map<Long, List<Integer>> replicas = new HashMap<>();
    current
        .topic(TOPIC)
        .ifPresent(
            t -> {
              for (int p = 0; p < t.partitions(); p++) {
                if (t.replicas(p).contains(nodeId)) {
                  wanted.put(t.groupId(p), p);
                  replicas.put(t.groupId(p), t.replicas(p));
                }
              }
            });
    for (Long groupId : new HashSet<>(partitionOfGroup.keySet())) {
      if (!wanted.containsKey(groupId)) {
        byPartition.remove(partitionOfGroup.remove(groupId));
        runtime.stopGroup(groupId, true);
        LOG.info("stopped {} replica (group {}) and deleted its data", TOPIC, groupId);
      }
    }
    wanted.forEach(
        (groupId, p) -> {
          if (!partitionOfGroup.containsKey(groupId)) {
            start(
                groupId,
                p,
                replicas.get(groupId),
                FreshStarts.of(
                    previous, groupId, runtime.fenceIndex(QuorumController.METADATA_GROUP_ID)));
          }
        });
  }

  private void start(long groupId, int partition, List<Integer> replicas, FreshStart fresh) {
    CoordinatorStateMachine sm = new CoordinatorStateMachine(partition);
    // The state is small and the snapshot is the whole state: let the runtime compact the log.
    RaftGroup group =
        runtime.startAutoCompactingGroup(
            groupId, Membership.ofVoters(Set.copyOf(replicas)), sm, fresh);
    PartitionCoordinator coordinator =
        new PartitionCoordinator(group, sm, logic, this::partitionCounts, settings, clock, events);
    partitionOfGroup.put(groupId, partition);
    byPartition.put(partition, coordinator);
    LOG.info("started {}-{} (group {}) with replicas {}", TOPIC, partition, groupId, replicas);
  }

  /** Partitions per topic, for the assignors. */
  Map<String, Integer> partitionCounts() {
    Map<String, Integer> out = new HashMap<>();
    metadata.image().topics().forEach((name, t) -> out.put(name, t.partitions()));
    out.remove(TOPIC);
    return out;
  }

  Optional<PartitionCoordinator> local(int partition) {
    return Optional.ofNullable(byPartition.get(partition));
  }

  List<PartitionCoordinator> all() {
    return List.copyOf(byPartition.values());
  }

  /** The offsets topic, creating it (once, asynchronously) if it does not exist yet. */
  Optional<TopicInfo> topic() {
    Optional<TopicInfo> t = metadata.topic(TOPIC);
    if (t.isEmpty() && creating.compareAndSet(false, true)) {
      int brokers = Math.max(1, metadata.image().onlineBrokers().size());
      int rf = Math.min(settings.offsetsTopicReplicationFactor(), brokers);
      CreateTopicsRequest request =
          CreateTopicsRequest.newBuilder()
              .addTopics(
                  NewTopic.newBuilder()
                      .setName(TOPIC)
                      .setPartitions(settings.offsetsTopicPartitions())
                      .setReplicationFactor(rf))
              .build();
      LOG.info(
          "creating {} with {} partitions, replication factor {}",
          TOPIC,
          settings.offsetsTopicPartitions(),
          rf);
      creator
          .apply(request)
          .whenComplete(
              (r, e) -> {
                creating.set(false);
                if (e != null) {
                  LOG.warn("creating {} failed: {}", TOPIC, e.toString());
                } else if (r.getResults(0).getError().getCode() != ErrorCode.NONE
                    && r.getResults(0).getError().getCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                  LOG.warn("creating {} failed: {}", TOPIC, r.getResults(0).getError());
                }
              });
    }
    return t;
  }

  Optional<TopicInfo> topicInfo(String name) {
    return metadata.topic(name);
  }

  /** The partition's leader: this replica's view if hosted here, else the controller's hint. */
  int leaderOf(TopicInfo topic, int partition) {
    PartitionCoordinator local = byPartition.get(partition);
    if (local != null && local.group().isLeader()) {
      return nodeId;
    }
    if (local != null && local.group().leaderId() > 0) {
      return local.group().leaderId();
    }
    PartitionLeader hint = metadata.partitionLeaders().get(topic.groupId(partition));
    return hint == null ? 0 : hint.nodeId();
  }

  /** Stops every replica, keeping its data. */
  synchronized void close() {
    partitionOfGroup.keySet().forEach(g -> runtime.stopGroup(g, false));
    partitionOfGroup.clear();
    byPartition.clear();
  }
}
