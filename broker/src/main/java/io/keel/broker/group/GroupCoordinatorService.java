package io.keel.broker.group;

import io.grpc.StatusRuntimeException;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.group.GroupLogic.Heartbeat;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import io.keel.broker.raft.GroupRuntime;
import io.keel.broker.raft.NodeStopping;
import io.keel.broker.raft.ProposalFailedException;
import io.keel.proto.CheckGroupMemberRequest;
import io.keel.proto.CheckGroupMemberResponse;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DeleteGroupsRequest;
import io.keel.proto.DeleteGroupsResponse;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.DescribeGroupsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.GroupResult;
import io.keel.proto.LeaderHint;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.LeaveGroupResponse;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.ListGroupsResponse;
import io.keel.proto.Node;
import io.keel.proto.PartitionResult;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.ResetOffsetsResponse;
import io.keel.proto.TopicPartitions;
import io.keel.raft.NotLeaderException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The consumer-group coordinator of this node: hosts the local {@code __consumer_offsets} replicas,
 * routes each group RPC to the partition coordinator of the group (answering NOT_COORDINATOR with a
 * leader hint when this node does not lead that partition), expires member sessions and refreshes
 * group metrics. The gRPC service delegates the group RPCs here; every method is non-blocking and
 * thread-safe, and typed errors are in the response.
 */
public final class GroupCoordinatorService implements AutoCloseable {
  /** The internal topic holding group metadata and committed offsets. */
  public static final String OFFSETS_TOPIC = CoordinatorReplicas.TOPIC;

  static final int MAX_GROUP_ID_CHARS = 255;
  static final int MAX_METADATA_CHARS = 4096;

  /**
   * How long a partition leader trusts a positive membership answer for fetch fencing: a member
   * fenced meanwhile can read for at most this long.
   */
  public static final Duration FETCH_FENCE_TTL = Duration.ofSeconds(1);

  private final int nodeId;
  private final MetadataView metadata;
  private final GroupSettings settings;
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final CoordinatorReplicas replicas;
  private final PartitionOffsets offsets;
  private final GroupMetrics metrics;
  private final GroupAdmin admin;
  private final MemberFence fence;
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

  public GroupCoordinatorService(
      int nodeId,
      GroupRuntime runtime,
      MetadataView metadata,
      Function<CreateTopicsRequest, CompletableFuture<CreateTopicsResponse>> topicCreator,
      MeterRegistry registry,
      ScheduledExecutorService scheduler,
      GroupSettings settings,
      InstantSource clock) {
    this.nodeId = nodeId;
    this.metadata = metadata;
    this.settings = settings;
    this.scheduler = scheduler;
    this.clock = clock;
    this.metrics = new GroupMetrics(registry);
    this.replicas =
        new CoordinatorReplicas(
            nodeId, runtime, metadata, topicCreator, settings, clock, metrics::onRebalance);
    this.offsets = new PartitionOffsets(metadata, Duration.ofSeconds(5));
    this.admin = new GroupAdmin(this, replicas, offsets, metrics);
    this.fence = new MemberFence(this::checkLocally, FETCH_FENCE_TTL, Duration.ofSeconds(5), clock);
  }

  /** Starts hosting replicas, expiring sessions and refreshing metrics. */
  public void start() {
    metadata.addListener(replicas);
    long expiryMs = Math.max(10, settings.sessionTimeout().toMillis() / 10);
    tasks.add(
        scheduler.scheduleWithFixedDelay(
            () -> replicas.all().forEach(PartitionCoordinator::expireSessions),
            expiryMs,
            expiryMs,
            TimeUnit.MILLISECONDS));
    long refreshMs = settings.lagRefreshInterval().toMillis();
    tasks.add(
        scheduler.scheduleWithFixedDelay(
            admin::refreshMetrics, refreshMs, refreshMs, TimeUnit.MILLISECONDS));
  }

  // ------------------------------------------------------------------ routing

  /** The local coordinator of {@code groupId} (share groups route like consumer groups). */
  public PartitionCoordinator routeToCoordinator(String groupId) {
    return route(groupId);
  }

  /** Every local {@code __consumer_offsets} replica's coordinator, leading or not. */
  public List<PartitionCoordinator> localCoordinators() {
    return replicas.all();
  }

  /** The local partition coordinator of {@code groupId}, failing if this node does not lead it. */
  PartitionCoordinator route(String groupId) {
    checkGroupId(groupId);
    TopicInfo topic =
        replicas
            .topic()
            .orElseThrow(
                () ->
                    new CoordinatorException(
                        ErrorCode.COORDINATOR_LOADING,
                        CoordinatorReplicas.TOPIC + " is being created"));
    int partition = CoordinatorReplicas.partitionFor(groupId, topic.partitions());
    Optional<PartitionCoordinator> local = replicas.local(partition);
    if (local.isPresent() && local.get().group().isLeader()) {
      return local.get();
    }
    int leader = replicas.leaderOf(topic, partition);
    throw new CoordinatorException(
        ErrorCode.NOT_COORDINATOR,
        String.format(
            "node %d does not coordinate group '%s' (%s-%d); %s",
            nodeId,
            groupId,
            CoordinatorReplicas.TOPIC,
            partition,
            leader == 0 ? "its leader is unknown" : "node " + leader + " does"),
        leader);
  }

  private static void checkGroupId(String groupId) {
    if (groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_CHARS) {
      throw new CoordinatorException(
          ErrorCode.INVALID_GROUP_ID,
          "group_id must be 1 to " + MAX_GROUP_ID_CHARS + " chars, was " + groupId.length());
    }
  }

  public CompletableFuture<FindCoordinatorResponse> findCoordinator(FindCoordinatorRequest req) {
    FindCoordinatorResponse.Builder out = FindCoordinatorResponse.newBuilder();
    try {
      checkGroupId(req.getGroupId());
      Optional<TopicInfo> topic = replicas.topic();
      if (topic.isEmpty()) {
        return done(
            out.setError(error(ErrorCode.COORDINATOR_LOADING, "creating offsets topic")).build());
      }
      int partition = CoordinatorReplicas.partitionFor(req.getGroupId(), topic.get().partitions());
      int leader = replicas.leaderOf(topic.get(), partition);
      Optional<Node> node = leader == 0 ? Optional.empty() : node(leader);
      if (node.isEmpty()) {
        return done(
            out.setError(
                    error(
                        ErrorCode.COORDINATOR_LOADING,
                        CoordinatorReplicas.TOPIC + "-" + partition + " has no known leader yet"))
                .build());
      }
      return done(out.setCoordinator(node.get()).build());
    } catch (CoordinatorException e) {
      return done(out.setError(errorOf(e)).build());
    }
  }

  // ------------------------------------------------------------------ members

  public CompletableFuture<ConsumerGroupHeartbeatResponse> heartbeat(
      ConsumerGroupHeartbeatRequest req) {
    ConsumerGroupHeartbeatResponse.Builder out = ConsumerGroupHeartbeatResponse.newBuilder();
    try {
      PartitionCoordinator c = route(req.getGroupId());
      if (req.getMemberEpoch() == -1) {
        return c.leave(req.getGroupId(), req.getMemberId())
            .handle((v, e) -> out.setMemberId(req.getMemberId()).setMemberEpoch(-1))
            .thenApply(ConsumerGroupHeartbeatResponse.Builder::build);
      }
      if (req.getMemberEpoch() < -1 || (req.getMemberEpoch() > 0 && req.getMemberId().isEmpty())) {
        throw new CoordinatorException(
            ErrorCode.INVALID_REQUEST,
            "member_epoch must be -1, 0 or (with a member_id) positive, was "
                + req.getMemberEpoch());
      }
      Heartbeat hb =
          new Heartbeat(
              req.getMemberId(),
              req.getMemberEpoch(),
              req.getClientId(),
              req.getRebalanceTimeoutMs(),
              req.getSubscribedTopicsList(),
              req.getAssignor(),
              toSet(req.getOwnedPartitionsList()));
      return c.heartbeat(req.getGroupId(), hb)
          .handle(
              (a, e) -> {
                if (e != null) {
                  return out.setError(errorOf(e)).build();
                }
                return out.setMemberId(a.memberId())
                    .setMemberEpoch(a.memberEpoch())
                    .setHeartbeatIntervalMs((int) settings.heartbeatInterval().toMillis())
                    .setAssignment(
                        io.keel.proto.Assignment.newBuilder()
                            .addAllPartitions(GroupAdmin.byTopic(a.assignment())))
                    .build();
              });
    } catch (CoordinatorException e) {
      return done(out.setError(errorOf(e)).build());
    }
  }

  public CompletableFuture<LeaveGroupResponse> leaveGroup(LeaveGroupRequest req) {
    LeaveGroupResponse.Builder out = LeaveGroupResponse.newBuilder();
    try {
      return route(req.getGroupId())
          .leave(req.getGroupId(), req.getMemberId())
          .handle((v, e) -> e == null ? out.build() : out.setError(errorOf(e)).build());
    } catch (CoordinatorException e) {
      return done(out.setError(errorOf(e)).build());
    }
  }

  // ------------------------------------------------------------------ fetch fencing

  /**
   * Whether a fetch may go on as this group member: NONE, or UNKNOWN_MEMBER_ID /
   * FENCED_MEMBER_EPOCH (or a coordinator error) to fail it with. Asks the group's coordinator,
   * wherever it runs; positive answers are cached for {@link #FETCH_FENCE_TTL}.
   */
  public CompletableFuture<ErrorDetail> checkFetchMember(
      String groupId, String memberId, int memberEpoch) {
    return fence.check(new MemberFence.Claim(groupId, memberId, memberEpoch));
  }

  /** The coordinator's side of {@link #checkFetchMember}; never forwards. */
  public CompletableFuture<CheckGroupMemberResponse> checkGroupMember(CheckGroupMemberRequest req) {
    return checkLocally(
            new MemberFence.Claim(req.getGroupId(), req.getMemberId(), req.getMemberEpoch()))
        .thenApply(e -> CheckGroupMemberResponse.newBuilder().setError(e).build());
  }

  private CompletableFuture<ErrorDetail> checkLocally(MemberFence.Claim claim) {
    try {
      return route(claim.groupId())
          .checkMember(claim.groupId(), claim.memberId(), claim.memberEpoch())
          .handle((v, e) -> e == null ? MemberFence.OK : errorOf(e));
    } catch (CoordinatorException e) {
      return done(errorOf(e));
    }
  }

  // ------------------------------------------------------------------ offsets

  public CompletableFuture<CommitOffsetsResponse> commitOffsets(CommitOffsetsRequest req) {
    CommitOffsetsResponse.Builder out = CommitOffsetsResponse.newBuilder();
    try {
      PartitionCoordinator c = route(req.getGroupId());
      long now = clock.millis();
      List<OffsetCommit> commits = new ArrayList<>();
      for (CommitOffset o : req.getOffsetsList()) {
        checkCommit(o);
        commits.add(
            new OffsetCommit(
                req.getGroupId(),
                o.getTopic(),
                o.getPartition(),
                o.getOffset(),
                o.getMetadata(),
                now,
                req.getMemberEpoch()));
      }
      return c.commit(req.getGroupId(), req.getMemberId(), req.getMemberEpoch(), commits)
          .handle(
              (v, e) -> {
                ErrorDetail err = e == null ? ErrorDetail.getDefaultInstance() : errorOf(e);
                if (e != null) {
                  out.setError(err);
                }
                for (CommitOffset o : req.getOffsetsList()) {
                  out.addPartitions(
                      PartitionResult.newBuilder()
                          .setTopic(o.getTopic())
                          .setPartition(o.getPartition())
                          .setError(err));
                }
                return out.build();
              });
    } catch (CoordinatorException e) {
      return done(out.setError(errorOf(e)).build());
    }
  }

  private static void checkCommit(CommitOffset o) {
    if (o.getTopic().isEmpty() || o.getPartition() < 0 || o.getOffset() < 0) {
      throw new CoordinatorException(
          ErrorCode.INVALID_REQUEST,
          String.format(
              "commit for '%s'-%d: topic must be non-empty, partition and offset >= 0 (offset %d)",
              o.getTopic(), o.getPartition(), o.getOffset()));
    }
    if (o.getMetadata().length() > MAX_METADATA_CHARS) {
      throw new CoordinatorException(
          ErrorCode.INVALID_REQUEST,
          String.format(
              "commit metadata for '%s'-%d must be <= %d chars, was %d",
              o.getTopic(), o.getPartition(), MAX_METADATA_CHARS, o.getMetadata().length()));
    }
  }

  public CompletableFuture<FetchOffsetsResponse> fetchOffsets(FetchOffsetsRequest req) {
    try {
      return route(req.getGroupId())
          .offsets(req.getGroupId())
          .handle(
              (committed, e) -> {
                FetchOffsetsResponse.Builder out = FetchOffsetsResponse.newBuilder();
                if (e != null) {
                  return out.setError(errorOf(e)).build();
                }
                Set<TopicPartition> wanted =
                    req.getPartitionsList().isEmpty()
                        ? committed.keySet()
                        : toSet(req.getPartitionsList());
                for (TopicPartition tp : wanted) {
                  OffsetCommit c = committed.get(tp);
                  out.addPartitions(
                      io.keel.proto.CommittedOffset.newBuilder()
                          .setTopic(tp.topic())
                          .setPartition(tp.partition())
                          .setOffset(c == null ? -1 : c.offset())
                          .setLeaderEpoch(-1)
                          .setMetadata(c == null ? "" : c.metadata()));
                }
                return out.build();
              });
    } catch (CoordinatorException e) {
      return done(FetchOffsetsResponse.newBuilder().setError(errorOf(e)).build());
    }
  }

  // ------------------------------------------------------------------ admin

  public CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest req) {
    return admin.listGroups(req);
  }

  public CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest req) {
    return admin.describeGroups(req);
  }

  public CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest req) {
    List<CompletableFuture<GroupResult>> results = new ArrayList<>();
    for (String groupId : new LinkedHashSet<>(req.getGroupIdsList())) {
      GroupResult.Builder r = GroupResult.newBuilder().setGroupId(groupId);
      try {
        results.add(
            route(groupId)
                .delete(groupId)
                .handle((v, e) -> e == null ? r.build() : r.setError(errorOf(e)).build()));
      } catch (CoordinatorException e) {
        results.add(CompletableFuture.completedFuture(r.setError(errorOf(e)).build()));
      }
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                DeleteGroupsResponse.newBuilder()
                    .addAllResults(results.stream().map(CompletableFuture::join).toList())
                    .build());
  }

  public CompletableFuture<ResetOffsetsResponse> resetOffsets(ResetOffsetsRequest req) {
    return admin.resetOffsets(req);
  }

  // ------------------------------------------------------------------ helpers

  static Set<TopicPartition> toSet(List<TopicPartitions> list) {
    Set<TopicPartition> out = new TreeSet<>();
    for (TopicPartitions tps : list) {
      tps.getPartitionsList().forEach(p -> out.add(new TopicPartition(tps.getTopic(), p)));
    }
    return out;
  }

  Optional<Node> node(int id) {
    return metadata.broker(id).map(b -> toNode(b));
  }

  private static Node toNode(BrokerInfo b) {
    Node.Builder n = Node.newBuilder().setId(b.nodeId());
    String address = b.clientAddress();
    int colon = address.lastIndexOf(':');
    if (colon > 0) {
      n.setHost(address.substring(0, colon))
          .setPort(Integer.parseInt(address.substring(colon + 1)));
    }
    return n.build();
  }

  static ErrorDetail error(ErrorCode code, String message) {
    return ErrorDetail.newBuilder().setCode(code).setMessage(message).build();
  }

  /** The typed error of a failure; NOT_COORDINATOR carries the leader's address when known. */
  public ErrorDetail errorOf(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CoordinatorException ce) {
      ErrorDetail.Builder b =
          ErrorDetail.newBuilder().setCode(ce.code()).setMessage(ce.getMessage());
      if (ce.code() == ErrorCode.NOT_COORDINATOR && ce.leaderId() > 0) {
        node(ce.leaderId())
            .ifPresent(
                n ->
                    b.setLeader(
                        LeaderHint.newBuilder()
                            .setLeaderId(n.getId())
                            .setHost(n.getHost())
                            .setPort(n.getPort())
                            .setLeaderEpoch(-1)));
      }
      return b.build();
    }
    if (t instanceof NotLeaderException || t instanceof ProposalFailedException) {
      return error(ErrorCode.NOT_COORDINATOR, t.getMessage());
    }
    if (t instanceof StatusRuntimeException se) {
      return error(
          ErrorCode.LEADER_NOT_AVAILABLE, "partition leader unreachable: " + se.getStatus());
    }
    if (NodeStopping.causedBy(t)) {
      return error(ErrorCode.NODE_SHUTTING_DOWN, NodeStopping.message(t));
    }
    return error(ErrorCode.UNKNOWN, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public void close() {
    tasks.forEach(t -> t.cancel(false));
    metadata.removeListener(replicas);
    replicas.close();
    offsets.close();
    fence.close();
    metrics.close();
  }
}
