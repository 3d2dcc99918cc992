package io.keel.broker.replica;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.EventLoopRuntime;
import io.keel.broker.raft.Proposal;
import io.keel.broker.raft.RaftGroup;
import io.keel.proto.FenceRequest;
import io.keel.proto.FenceResponse;
import io.keel.proto.KeelReplicaGrpc;
import io.keel.proto.ListReplicaFaultsRequest;
import io.keel.proto.ListReplicaFaultsResponse;
import io.keel.proto.RebuildRequest;
import io.keel.proto.RebuildResponse;
import io.keel.proto.ReplicaFault;
import java.util.Optional;

/**
 * Serves {@code KeelReplica}: term fences for replicas that lost their state (the leader commits an
 * empty entry, which every state machine ignores, and answers with its term), operator rebuilds of
 * a local partition replica, and the list of local replicas that do not serve.
 */
public final class ReplicaService extends KeelReplicaGrpc.KeelReplicaImplBase {
  private static final byte[] FENCE_ENTRY = new byte[0];

  /** Rebuilds this node's replica of a partition; returns its group id. */
  @FunctionalInterface
  public interface Rebuilder {
    long rebuild(String topic, int partition);
  }

  private final int nodeId;
  private final String clusterId;
  private final EventLoopRuntime runtime;
  private final MetadataView metadata;
  private final Rebuilder rebuilder;

  public ReplicaService(
      int nodeId,
      String clusterId,
      EventLoopRuntime runtime,
      MetadataView metadata,
      Rebuilder rebuilder) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.runtime = runtime;
    this.metadata = metadata;
    this.rebuilder = rebuilder;
  }

  @Override
  public void fence(FenceRequest request, StreamObserver<FenceResponse> out) {
    if (!request.getClusterId().equals(clusterId)) {
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "cluster id " + request.getClusterId() + " is not this cluster's " + clusterId)
              .asRuntimeException());
      return;
    }
    RaftGroup group = runtime.group(request.getGroupId());
    if (group == null || group.quarantineCause().isPresent()) {
      reply(out, FenceResponse.State.ABSENT, 0, 0, 0, "");
    } else if (group.rejoining()) {
      reply(out, FenceResponse.State.FRESH, 0, 0, 0, "");
    } else if (request.getProbe() || !group.isLeader()) {
      reply(out, FenceResponse.State.RUNNING, group.term(), group.leaderId(), 0, "");
    } else {
      group.executor().execute(() -> commitFence(group, out));
    }
  }

  /**
   * On the group's loop: the entry is created after the request arrived, so its commit quorum does
   * not count the asking replica's lost state; once it committed, the term published on the loop is
   * at least the entry's (the entry was proposed in an earlier iteration).
   */
  private void commitFence(RaftGroup group, StreamObserver<FenceResponse> out) {
    try {
      Proposal fence = group.propose(FENCE_ENTRY);
      fence
          .committed()
          .whenComplete(
              (v, err) -> {
                if (err == null) {
                  reply(out, FenceResponse.State.FENCED, group.term(), nodeId, fence.index(), "");
                } else {
                  reply(
                      out,
                      FenceResponse.State.RUNNING,
                      group.term(),
                      group.leaderId(),
                      0,
                      err.toString());
                }
              });
    } catch (RuntimeException e) {
      reply(out, FenceResponse.State.RUNNING, group.term(), group.leaderId(), 0, e.toString());
    }
  }

  private static void reply(
      StreamObserver<FenceResponse> out,
      FenceResponse.State state,
      long term,
      int leader,
      long index,
      String error) {
    out.onNext(
        FenceResponse.newBuilder()
            .setState(state)
            .setTerm(term)
            .setLeaderId(leader)
            .setIndex(index)
            .setError(error)
            .build());
    out.onCompleted();
  }

  @Override
  public void rebuild(RebuildRequest request, StreamObserver<RebuildResponse> out) {
    RebuildResponse.Builder response = RebuildResponse.newBuilder();
    try {
      response.setGroupId(rebuilder.rebuild(request.getTopic(), request.getPartition()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      response.setError(e.getMessage());
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void listReplicaFaults(
      ListReplicaFaultsRequest request, StreamObserver<ListReplicaFaultsResponse> out) {
    ListReplicaFaultsResponse.Builder response =
        ListReplicaFaultsResponse.newBuilder().setNodeId(nodeId);
    for (RaftGroup g : runtime.groups()) {
      Optional<Throwable> cause = g.quarantineCause();
      if (cause.isEmpty() && !g.rejoining()) {
        continue;
      }
      ReplicaFault.Builder fault =
          ReplicaFault.newBuilder()
              .setGroupId(g.groupId())
              .setState(
                  cause.isPresent() ? ReplicaFault.State.QUARANTINED : ReplicaFault.State.REJOINING)
              .setCause(cause.map(Throwable::toString).orElse("store was fresh; awaiting a fence"));
      metadata
          .image()
          .topicById(TopicInfo.topicIdOf(g.groupId()))
          .filter(t -> t.groupId(TopicInfo.partitionOf(g.groupId())) == g.groupId())
          .ifPresent(
              t -> fault.setTopic(t.name()).setPartition(TopicInfo.partitionOf(g.groupId())));
      response.addFaults(fault);
    }
    out.onNext(response.build());
    out.onCompleted();
  }
}
