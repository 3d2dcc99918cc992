package io.keel.broker.replica;

import io.keel.broker.raft.Admission;
import io.keel.broker.raft.FreshStart;
import io.keel.broker.transport.PeerChannels;
import io.keel.broker.transport.PeerDirectory;
import io.keel.proto.FenceRequest;
import io.keel.proto.FenceResponse;
import io.keel.proto.KeelReplicaGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link Admission}: asks the other members of a group, over the {@code KeelReplica}
 * service, for a term fence (or, for {@link FreshStart#ASK_PEERS}, whether any of them has state),
 * retrying every {@code retry} until it gets one. One attempt runs on a virtual thread at a time
 * per group; the attempts stop when the future is cancelled.
 */
public final class ReplicaFences implements Admission, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaFences.class);

  private final int nodeId;
  private final String clusterId;
  private final PeerDirectory peers;
  private final ScheduledExecutorService scheduler;
  private final Duration retry;
  private final Duration callTimeout;
  private final PeerChannels channels = new PeerChannels();
  private volatile boolean closed;

  public ReplicaFences(
      int nodeId,
      String clusterId,
      PeerDirectory peers,
      ScheduledExecutorService scheduler,
      Duration retry,
      Duration callTimeout) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.peers = peers;
    this.scheduler = scheduler;
    this.retry = retry;
    this.callTimeout = callTimeout;
  }

  @Override
  public CompletableFuture<Admit> admit(long groupId, Set<Integer> voters, FreshStart mode) {
    CompletableFuture<Admit> result = new CompletableFuture<>();
    List<Integer> others = voters.stream().filter(v -> v != nodeId).sorted().toList();
    if (mode == FreshStart.BOOTSTRAP || (mode == FreshStart.ASK_PEERS && others.isEmpty())) {
      result.complete(new Bootstrap());
      return result;
    }
    attempt(groupId, others, mode, result, 1);
    return result;
  }

  private void attempt(
      long groupId, List<Integer> others, FreshStart mode, CompletableFuture<Admit> result, int n) {
    if (result.isDone() || closed) {
      return;
    }
    Thread.ofVirtual()
        .name("rejoin-" + groupId)
        .start(
            () -> {
              Optional<Admit> admit = Optional.empty();
              try {
                admit = once(groupId, others, mode);
              } catch (RuntimeException e) {
                log.debug("group {}: rejoin attempt {} failed", groupId, n, e);
              }
              if (admit.isPresent()) {
                result.complete(admit.get());
              } else if (!result.isDone() && !closed) {
                if (n % 20 == 1) {
                  log.info(
                      "group {}: waiting for a fence from {} (attempt {})", groupId, others, n);
                }
                scheduler.schedule(
                    () -> attempt(groupId, others, mode, result, n + 1),
                    retry.toMillis(),
                    TimeUnit.MILLISECONDS);
              }
            });
  }

  /** One round over the other members; empty when no answer admits the replica yet. */
  private Optional<Admit> once(long groupId, List<Integer> others, FreshStart mode) {
    if (neverElected(groupId, others, mode)) {
      return Optional.of(new Bootstrap());
    }
    List<Integer> order = new ArrayList<>(others);
    for (int i = 0; i < order.size() && i < others.size() + 2; i++) {
      FenceResponse r = call(order.get(i), groupId, false);
      if (r.getState() == FenceResponse.State.FENCED) {
        return Optional.of(new Fenced(r.getTerm(), r.getLeaderId(), r.getIndex()));
      }
      int hint = r.getLeaderId();
      if (r.getState() == FenceResponse.State.RUNNING
          && hint != 0
          && hint != nodeId
          && hint != order.get(i)
          && others.contains(hint)) {
        order.add(i + 1, hint); // ask the leader it names next
      }
    }
    return Optional.empty();
  }

  /**
   * Whether no member of the group can ever have voted for or followed anyone, so the state this
   * replica may have lost promised nothing: every other member runs at term 0 (a vote or a leader
   * in term T leaves its candidate at term T or above for good), or, for {@link
   * FreshStart#ASK_PEERS}, is fresh too (the cluster's first start). A partition replica whose
   * peers are all fresh stays waiting: they all lost the group's data, and bootstrapping would
   * restart the partition empty. Without this a group created while this node's metadata replica
   * was being admitted (FreshStarts calls that "existing") could never elect: its other members
   * need this replica's vote for a quorum, and it waited for a fence from their leader.
   */
  private boolean neverElected(long groupId, List<Integer> others, FreshStart mode) {
    for (int peer : others) {
      FenceResponse r = call(peer, groupId, true);
      boolean untouched =
          switch (r.getState()) {
            case FRESH -> mode == FreshStart.ASK_PEERS;
            case RUNNING, FENCED -> r.getTerm() == 0;
            case ABSENT, STATE_UNSPECIFIED, UNRECOGNIZED -> false;
          };
      if (!untouched) {
        return false;
      }
    }
    return true;
  }

  private FenceResponse call(int peer, long groupId, boolean probe) {
    Optional<String> address = peers.addressOf(peer);
    if (address.isEmpty()) {
      return FenceResponse.newBuilder().setState(FenceResponse.State.ABSENT).build();
    }
    try {
      return KeelReplicaGrpc.newBlockingStub(channels.get(address.get()))
          .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .fence(
              FenceRequest.newBuilder()
                  .setClusterId(clusterId)
                  .setGroupId(groupId)
                  .setNodeId(nodeId)
                  .setProbe(probe)
                  .build());
    } catch (RuntimeException e) {
      return FenceResponse.newBuilder()
          .setState(FenceResponse.State.STATE_UNSPECIFIED)
          .setError(e.toString())
          .build();
    }
  }

  @Override
  public void close() {
    closed = true;
    channels.close();
  }
}
