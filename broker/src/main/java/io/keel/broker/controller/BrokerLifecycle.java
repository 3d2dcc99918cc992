package io.keel.broker.controller;

import io.keel.broker.raft.EventLoopRuntime;
import io.keel.broker.raft.RaftGroup;
import io.keel.proto.BrokerHeartbeatRequest;
import io.keel.proto.BrokerHeartbeatResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.GroupLeader;
import io.keel.proto.LeaderTransfer;
import io.keel.proto.LedGroup;
import io.keel.proto.RegisterBrokerRequest;
import io.keel.proto.RegisterBrokerResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's session with the controller: registers, then heartbeats every interval, reporting the
 * groups it leads and taking back metadata, partition leaders and leadership transfers. Runs on one
 * virtual thread; {@link #refreshNow()} makes it heartbeat at once.
 */
public final class BrokerLifecycle implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);
  private static final Duration MIN_RPC_TIMEOUT = Duration.ofSeconds(2);

  private final RegisterBrokerRequest registration;
  private final Duration heartbeatInterval;
  private final ControllerClient client;
  private final MetadataCache cache;
  private final EventLoopRuntime runtime;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean registered;
  private volatile boolean shuttingDown;
  private volatile long controllerVersion = Long.MAX_VALUE;

  public BrokerLifecycle(
      RegisterBrokerRequest registration,
      Duration heartbeatInterval,
      ControllerClient client,
      MetadataCache cache,
      EventLoopRuntime runtime) {
    this.registration = registration;
    this.heartbeatInterval = heartbeatInterval;
    this.client = client;
    this.cache = cache;
    this.runtime = runtime;
    this.thread =
        Thread.ofVirtual().name("lifecycle-" + registration.getNodeId()).unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  /** Registered with the controller and the local metadata is as new as the controller's. */
  public boolean ready() {
    return registered
        && cache.image().version() >= controllerVersion
        && cache.image().broker(registration.getNodeId()).map(BrokerInfo::online).orElse(false);
  }

  public boolean registered() {
    return registered;
  }

  /** From now on heartbeats tell the controller not to move leadership here. */
  public void beginShutdown() {
    shuttingDown = true;
    refreshNow();
  }

  public void refreshNow() {
    wakeUp.release();
  }

  private void run() {
    while (running) {
      try {
        if (!registered) {
          register();
        } else {
          heartbeat();
        }
      } catch (ControllerUnavailableException e) {
        log.debug("node {}: {}", registration.getNodeId(), e.getMessage());
      } catch (RuntimeException e) {
        log.warn("node {}: controller session step failed", registration.getNodeId(), e);
      }
      try {
        wakeUp.tryAcquire(heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
        wakeUp.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void register() {
    RegisterBrokerResponse r = client.register(registration, rpcTimeout());
    if (r.getError().getCode() != ErrorCode.NONE) {
      log.warn(
          "node {}: registration refused: {}", registration.getNodeId(), r.getError().getMessage());
      return;
    }
    registered = true;
    controllerVersion = r.getMetadataVersion();
    cache.setControllerLeaderId(client.leaderGuess());
    log.info(
        "node {} registered with controller {}", registration.getNodeId(), client.leaderGuess());
    heartbeat();
  }

  private void heartbeat() {
    BrokerHeartbeatRequest.Builder request =
        BrokerHeartbeatRequest.newBuilder()
            .setNodeId(registration.getNodeId())
            .setKnownMetadataVersion(cache.image().version())
            .setShuttingDown(shuttingDown);
    for (RaftGroup g : runtime.groups()) {
      if (g.isLeader()) {
        request.addLedGroups(LedGroup.newBuilder().setGroupId(g.groupId()).setTerm(g.term()));
      }
    }
    BrokerHeartbeatResponse r = client.heartbeat(request.build(), rpcTimeout());
    if (r.getError().getCode() != ErrorCode.NONE) {
      log.info(
          "node {}: heartbeat refused ({}), registering again",
          registration.getNodeId(),
          r.getError().getMessage());
      registered = false;
      return;
    }
    cache.setControllerLeaderId(client.leaderGuess());
    if (r.hasImage()) {
      cache.offer(MetadataCodec.fromProto(r.getImage()));
    }
    Map<Long, PartitionLeader> leaders = new HashMap<>();
    for (GroupLeader l : r.getLeadersList()) {
      leaders.put(l.getGroupId(), new PartitionLeader(l.getLeaderId(), l.getTerm()));
    }
    cache.mergePartitionLeaders(leaders);
    cache.setLastSeenMsAgo(r.getLastSeenMsAgoMap());
    controllerVersion = r.getMetadataVersion();
    if (!shuttingDown) {
      for (LeaderTransfer t : r.getTransfersList()) {
        RaftGroup g = runtime.group(t.getGroupId());
        if (g != null) {
          g.transferLeadership(t.getTargetNodeId());
        }
      }
    }
  }

  /** Long enough for a metadata commit under load; a slow answer only delays the next beat. */
  private Duration rpcTimeout() {
    Duration fourBeats = heartbeatInterval.multipliedBy(4);
    return fourBeats.compareTo(MIN_RPC_TIMEOUT) > 0 ? fourBeats : MIN_RPC_TIMEOUT;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
