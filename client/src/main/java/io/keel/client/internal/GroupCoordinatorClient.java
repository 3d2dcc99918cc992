package io.keel.client.internal;

import io.keel.client.CoordinatorNotAvailableException;
import io.keel.client.OffsetAndMetadata;
import io.keel.client.TopicPartition;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.CommittedOffset;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import io.keel.proto.PartitionResult;
import io.keel.proto.TopicPartitions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Talks to a group's coordinator: finds it (cached until NOT_COORDINATOR), commits and fetches
 * offsets. Thread-safe.
 */
public final class GroupCoordinatorClient {
  private final String groupId;
  private final MetadataManager metadata;
  private final BlockingRpc rpc;
  private volatile HostPort coordinator;

  public GroupCoordinatorClient(String groupId, MetadataManager metadata, BlockingRpc rpc) {
    this.groupId = groupId;
    this.metadata = metadata;
    this.rpc = rpc;
  }

  public String groupId() {
    return groupId;
  }

  /** The coordinator's address, looked up with FindCoordinator when not cached. */
  public HostPort coordinator(long deadlineNanos) {
    HostPort cached = coordinator;
    if (cached != null) {
      return cached;
    }
    FindCoordinatorRequest request =
        FindCoordinatorRequest.newBuilder().setGroupId(groupId).build();
    FindCoordinatorResponse response =
        rpc.call(
            "FindCoordinator(" + groupId + ")",
            this::anyNode,
            stub -> stub.findCoordinator(request),
            r -> {
              if (Errors.isError(r.getError())) {
                throw Errors.toException(r.getError(), "group " + groupId);
              }
            },
            metadata::update,
            deadlineNanos);
    HostPort found =
        new HostPort(response.getCoordinator().getHost(), response.getCoordinator().getPort());
    coordinator = found;
    return found;
  }

  private HostPort anyNode() {
    List<HostPort> nodes = new ArrayList<>(metadata.current().nodes().values());
    if (nodes.isEmpty()) {
      metadata.update();
      throw new CoordinatorNotAvailableException("no node known yet to ask for the coordinator");
    }
    return nodes.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(nodes.size()));
  }

  /** Calls the coordinator, forgetting it when the call says it moved. */
  public <T> T call(
      String what,
      Function<KeelClientFutureStub, com.google.common.util.concurrent.ListenableFuture<T>> call,
      Consumer<T> check,
      long deadlineNanos) {
    return rpc.call(
        what + " for group " + groupId,
        () -> coordinator(deadlineNanos),
        call,
        check,
        () -> coordinator = null,
        deadlineNanos);
  }

  public void commit(
      Map<TopicPartition, OffsetAndMetadata> offsets,
      String memberId,
      int memberEpoch,
      long deadlineNanos) {
    CommitOffsetsRequest.Builder request =
        CommitOffsetsRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberId(memberId)
            .setMemberEpoch(memberEpoch);
    offsets.forEach(
        (tp, om) ->
            request.addOffsets(
                CommitOffset.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setOffset(om.offset())
                    .setLeaderEpoch(-1)
                    .setMetadata(om.metadata())));
    CommitOffsetsRequest built = request.build();
    call("CommitOffsets", stub -> stub.commitOffsets(built), this::checkCommit, deadlineNanos);
  }

  private void checkCommit(CommitOffsetsResponse response) {
    if (Errors.isError(response.getError())) {
      throw Errors.toException(response.getError(), "group " + groupId);
    }
    for (PartitionResult p : response.getPartitionsList()) {
      if (Errors.isError(p.getError())) {
        throw Errors.toException(p.getError(), new TopicPartition(p.getTopic(), p.getPartition()));
      }
    }
  }

  /** Committed offsets; partitions without one are absent from the result. */
  public Map<TopicPartition, OffsetAndMetadata> fetch(
      Set<TopicPartition> partitions, long deadlineNanos) {
    FetchOffsetsRequest.Builder request = FetchOffsetsRequest.newBuilder().setGroupId(groupId);
    OffsetLookup.byTopic(partitions)
        .forEach(
            (topic, ps) ->
                request.addPartitions(
                    TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(ps)));
    FetchOffsetsRequest built = request.build();
    FetchOffsetsResponse response =
        call(
            "FetchOffsets",
            stub -> stub.fetchOffsets(built),
            r -> {
              if (Errors.isError(r.getError())) {
                throw Errors.toException(r.getError(), "group " + groupId);
              }
            },
            deadlineNanos);
    Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
    for (CommittedOffset c : response.getPartitionsList()) {
      TopicPartition tp = new TopicPartition(c.getTopic(), c.getPartition());
      if (Errors.isError(c.getError())) {
        throw Errors.toException(c.getError(), tp);
      }
      if (c.getOffset() >= 0) {
        out.put(tp, new OffsetAndMetadata(c.getOffset(), c.getMetadata()));
      }
    }
    return out;
  }
}
