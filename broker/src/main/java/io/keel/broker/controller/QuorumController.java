package io.keel.broker.controller;

import io.keel.broker.controller.MetadataCommand.RegisterBroker;
import io.keel.broker.controller.MetadataCommand.SetBrokerOnline;
import io.keel.broker.raft.FreshStart;
import io.keel.broker.raft.GroupRuntime;
import io.keel.broker.raft.Proposal;
import io.keel.broker.raft.RaftGroup;
import io.keel.proto.BrokerHeartbeatRequest;
import io.keel.proto.BrokerHeartbeatResponse;
import io.keel.proto.ControllerError;
import io.keel.proto.ErrorCode;
import io.keel.proto.GroupLeader;
import io.keel.proto.RegisterBrokerRequest;
import io.keel.proto.RegisterBrokerResponse;
import io.keel.raft.Membership;
import io.keel.raft.NotLeaderException;
import io.keel.raft.RaftRole;
import io.keel.raft.SoftState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller on a controller-quorum node: runs the metadata Raft group (group 0) and, while
 * leader, serves registrations, heartbeats and topic changes, expires sessions of silent nodes and
 * moves partition leadership back to preferred leaders. All state is touched only on the metadata
 * group's event loop.
 */
public final class QuorumController implements AutoCloseable {
  public static final long METADATA_GROUP_ID = 0;
  private static final Logger log = LoggerFactory.getLogger(QuorumController.class);

  private final ControllerSettings settings;
  private final LongSupplier clock;
  private final GroupRuntime runtime;
  private final Membership voters;
  private final MetadataStateMachine sm;
  private final BrokerSessions sessions;
  private final TopicCommands topics;
  private final Set<Integer> onlineChangesInFlight = new HashSet<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("controller-timer").daemon().factory());
  private volatile RaftGroup group;
  // Leader of the current term and has applied everything committed before it: may serve writes.
  private boolean active;
  private long leaderTerm;
  private long lastBalanceNanos;

  /**
   * @param clock monotonic nanoseconds (System::nanoTime in production)
   */
  public QuorumController(
      ControllerSettings settings,
      GroupRuntime runtime,
      Membership voters,
      MetadataCache cache,
      LongSupplier clock) {
    this.settings = settings;
    this.clock = clock;
    this.runtime = runtime;
    this.voters = voters;
    this.sm = new MetadataStateMachine(cache::offer, this::onRoleChange);
    this.sessions = new BrokerSessions(settings.sessionTimeout().toNanos());
    this.topics = new TopicCommands(settings, sm::image, sessions, this::proposeCommand);
  }

  public void start() {
    // Nothing local says whether the quorum exists after a wiped disk: the other voters do.
    group = runtime.startAutoCompactingGroup(METADATA_GROUP_ID, voters, sm, FreshStart.ASK_PEERS);
    long periodMs = Math.clamp(settings.sessionTimeout().toMillis() / 10, 10, 500);
    timer.scheduleWithFixedDelay(
        () -> group.executor().execute(this::onTimer), periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  public RaftGroup group() {
    return group;
  }

  /** The metadata group's leader, 0 when unknown; thread-safe. */
  public int leaderId() {
    return group == null ? 0 : group.leaderId();
  }

  public MetadataImage image() {
    return sm.image();
  }

  public CompletableFuture<RegisterBrokerResponse> register(RegisterBrokerRequest request) {
    return onLoop(
        () -> {
          if (!request.getClusterId().equals(settings.clusterId())) {
            return CompletableFuture.completedFuture(
                RegisterBrokerResponse.newBuilder()
                    .setError(
                        error(
                            ErrorCode.INVALID_REQUEST,
                            "node "
                                + request.getNodeId()
                                + " is in cluster '"
                                + request.getClusterId()
                                + "', this is '"
                                + settings.clusterId()
                                + "'"))
                    .build());
          }
          return registerOnLoop(request);
        },
        e -> RegisterBrokerResponse.newBuilder().setError(e).build());
  }

  private CompletableFuture<RegisterBrokerResponse> registerOnLoop(RegisterBrokerRequest r) {
    long now = clock.getAsLong();
    sessions.heard(r.getNodeId(), now);
    sessions.setShuttingDown(r.getNodeId(), false);
    BrokerInfo known = sm.image().broker(r.getNodeId()).orElse(null);
    BrokerInfo wanted =
        new BrokerInfo(r.getNodeId(), r.getClientAddress(), r.getInternalAddress(), true);
    if (wanted.equals(known)) {
      return CompletableFuture.completedFuture(
          RegisterBrokerResponse.newBuilder().setMetadataVersion(sm.image().version()).build());
    }
    log.info("registering node {} at {}", r.getNodeId(), r.getClientAddress());
    return proposeCommand(
            new RegisterBroker(r.getNodeId(), r.getClientAddress(), r.getInternalAddress()))
        .thenApply(index -> RegisterBrokerResponse.newBuilder().setMetadataVersion(index).build());
  }

  public CompletableFuture<BrokerHeartbeatResponse> heartbeat(BrokerHeartbeatRequest request) {
    return onLoop(
        () -> CompletableFuture.completedFuture(heartbeatOnLoop(request)),
        e -> BrokerHeartbeatResponse.newBuilder().setError(e).build());
  }

  private BrokerHeartbeatResponse heartbeatOnLoop(BrokerHeartbeatRequest r) {
    int nodeId = r.getNodeId();
    MetadataImage image = sm.image();
    BrokerInfo broker = image.broker(nodeId).orElse(null);
    if (broker == null) {
      return BrokerHeartbeatResponse.newBuilder()
          .setError(error(ErrorCode.INVALID_REQUEST, "node " + nodeId + " is not registered"))
          .build();
    }
    long now = clock.getAsLong();
    sessions.heard(nodeId, now);
    sessions.reportLeadership(nodeId, r.getLedGroupsList());
    sessions.setShuttingDown(nodeId, r.getShuttingDown());
    if (broker.online() == r.getShuttingDown()) {
      maybeSetOnline(nodeId, !r.getShuttingDown());
    }
    BrokerHeartbeatResponse.Builder b =
        BrokerHeartbeatResponse.newBuilder()
            .setMetadataVersion(image.version())
            .addAllTransfers(sessions.takeTransfers(nodeId))
            .putAllLastSeenMsAgo(sessions.lastSeenMsAgo(now));
    if (r.getKnownMetadataVersion() < image.version()) {
      b.setImage(MetadataCodec.toProto(image));
    }
    sessions
        .leaders()
        .forEach(
            (g, l) ->
                b.addLeaders(
                    GroupLeader.newBuilder()
                        .setGroupId(g)
                        .setLeaderId(l.nodeId())
                        .setTerm(l.term())));
    return b.build();
  }

  public CompletableFuture<io.keel.proto.ControllerCreateTopicsResponse> createTopics(
      io.keel.proto.CreateTopicsRequest request) {
    return onLoop(
        () -> topics.create(request),
        e -> io.keel.proto.ControllerCreateTopicsResponse.newBuilder().setError(e).build());
  }

  public CompletableFuture<io.keel.proto.ControllerDeleteTopicsResponse> deleteTopics(
      List<String> names) {
    return onLoop(
        () -> topics.delete(names),
        e -> io.keel.proto.ControllerDeleteTopicsResponse.newBuilder().setError(e).build());
  }

  public CompletableFuture<io.keel.proto.AlterTopicConfigsResponse> alterTopicConfigs(
      io.keel.proto.AlterTopicConfigsRequest request) {
    return onLoop(
        () -> topics.alterConfigs(request),
        e -> io.keel.proto.AlterTopicConfigsResponse.newBuilder().setError(e).build());
  }

  /**
   * Runs {@code action} on the metadata loop if this node is the active controller; otherwise
   * answers NOT_CONTROLLER (with the leader hint) through {@code onError}.
   */
  private <T> CompletableFuture<T> onLoop(
      Supplier<CompletableFuture<T>> action, Function<ControllerError, T> onError) {
    CompletableFuture<T> result = new CompletableFuture<>();
    group
        .executor()
        .execute(
            () -> {
              if (!active) {
                result.complete(onError.apply(notController()));
                return;
              }
              action
                  .get()
                  .whenComplete(
                      (value, failure) -> {
                        if (failure == null) {
                          result.complete(value);
                        } else {
                          result.complete(onError.apply(failed(failure)));
                        }
                      });
            });
    return result;
  }

  /** Proposes a command; completes with its index once applied here. Call on the loop. */
  CompletableFuture<Long> proposeCommand(MetadataCommand command) {
    Proposal proposal;
    try {
      proposal = group.propose(MetadataCodec.encode(command));
    } catch (NotLeaderException e) {
      return CompletableFuture.failedFuture(e);
    }
    return proposal.committed().thenApply(ignored -> proposal.index());
  }

  private void maybeSetOnline(int nodeId, boolean online) {
    if (!onlineChangesInFlight.add(nodeId)) {
      return;
    }
    log.info("marking node {} {}", nodeId, online ? "online" : "offline");
    proposeCommand(new SetBrokerOnline(nodeId, online))
        .whenComplete((index, failure) -> onlineChangesInFlight.remove(nodeId));
  }

  private void onRoleChange(SoftState state) {
    boolean leader = state.role() == RaftRole.LEADER;
    active = false;
    if (!leader) {
      return;
    }
    leaderTerm = state.term();
    long term = state.term();
    sessions.reset(clock.getAsLong());
    onlineChangesInFlight.clear();
    topics.reset();
    // A read index completes once an entry of this term is committed and applied: from then on
    // the image holds every earlier command and validating against it is sound.
    group
        .readIndex()
        .whenComplete(
            (index, failure) ->
                group
                    .executor()
                    .execute(
                        () -> {
                          if (failure == null && group.isLeader() && group.term() == term) {
                            active = true;
                            lastBalanceNanos = clock.getAsLong();
                            log.info(
                                "node {} is the active controller (term {})",
                                settings.nodeId(),
                                term);
                          }
                        }));
  }

  private void onTimer() {
    if (!active || group.term() != leaderTerm) {
      return;
    }
    long now = clock.getAsLong();
    if (sessions.onTimer(now, maxTimerGapNanos())) {
      log.warn(
          "controller {} did not run for a while; restarting every session", settings.nodeId());
      return;
    }
    for (BrokerInfo broker : sm.image().brokers().values()) {
      if (broker.online() && sessions.expired(broker.nodeId(), now)) {
        maybeSetOnline(broker.nodeId(), false);
      }
    }
    if (now - lastBalanceNanos >= settings.balanceInterval().toNanos()) {
      lastBalanceNanos = now;
      LeaderBalancer.plan(sm.image(), sessions, now);
    }
  }

  /** Half a session: a longer gap between timer runs cannot be a busy loop's jitter. */
  private long maxTimerGapNanos() {
    return settings.sessionTimeout().toNanos() / 2;
  }

  private ControllerError notController() {
    return ControllerError.newBuilder()
        .setCode(ErrorCode.NOT_CONTROLLER)
        .setMessage("node " + settings.nodeId() + " is not the active controller")
        .setLeaderId(group.leaderId())
        .build();
  }

  private ControllerError failed(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return ControllerError.newBuilder()
        .setCode(ErrorCode.NOT_CONTROLLER)
        .setMessage("controller lost leadership: " + cause.getMessage())
        .setLeaderId(group.leaderId())
        .build();
  }

  static ControllerError error(ErrorCode code, String message) {
    return ControllerError.newBuilder().setCode(code).setMessage(message).build();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    active = false;
  }
}
