package io.keel.client.internal;

import io.keel.client.NotLeaderException;
import io.keel.client.TopicPartition;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsPartitionResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.OffsetSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks up earliest/latest offsets with ListOffsets at each partition's leader. Retries refresh the
 * metadata and take NOT_LEADER hints, and each attempt is short, so a lookup follows a leader
 * change instead of asking the old leader until its deadline.
 */
public final class OffsetLookup {
  private final MetadataManager metadata;
  private final BlockingRpc rpc;

  // ListOffsets is answered from the leader's memory and is safe to repeat.
  private static final long ATTEMPT_TIMEOUT_MS = 2_000;

  public OffsetLookup(MetadataManager metadata, BlockingRpc rpc) {
    this.metadata = metadata;
    this.rpc = rpc.withAttemptTimeout(ATTEMPT_TIMEOUT_MS);
  }

  public Map<TopicPartition, Long> lookup(
      Map<TopicPartition, OffsetSpec.Kind> specs, long deadlineNanos) {
    Map<TopicPartition, Long> result = new LinkedHashMap<>();
    for (TopicPartition tp : specs.keySet()) {
      result.put(tp, lookupOne(tp, specs.get(tp), deadlineNanos));
    }
    return result;
  }

  private long lookupOne(TopicPartition tp, OffsetSpec.Kind kind, long deadlineNanos) {
    ListOffsetsRequest request =
        ListOffsetsRequest.newBuilder()
            .addPartitions(
                ListOffsetsPartition.newBuilder()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setSpec(OffsetSpec.newBuilder().setKind(kind)))
            .build();
    // The node asked last, so a NOT_LEADER answer's hint can be applied against it.
    int[] asked = new int[1];
    ListOffsetsResponse response =
        rpc.call(
            "ListOffsets(" + kind + ") for " + tp,
            () -> leaderAddress(tp, asked),
            stub -> stub.listOffsets(request),
            r -> check(r, tp, asked[0]),
            metadata::update,
            deadlineNanos);
    return response.getPartitions(0).getOffset();
  }

  private HostPort leaderAddress(TopicPartition tp, int[] asked) {
    ClusterSnapshot snapshot = metadata.current();
    int leader = snapshot.leaderId(tp);
    if (leader == 0) {
      metadata.update();
      throw new NotLeaderException("no known leader for " + tp);
    }
    asked[0] = leader;
    return snapshot.address(leader);
  }

  private void check(ListOffsetsResponse response, TopicPartition tp, int askedNode) {
    List<ListOffsetsPartitionResponse> partitions = new ArrayList<>(response.getPartitionsList());
    if (partitions.size() != 1) {
      throw new NotLeaderException("ListOffsets for " + tp + " returned " + partitions.size());
    }
    ErrorDetail error = partitions.get(0).getError();
    if (error.getCode() == ErrorCode.NOT_LEADER) {
      metadata.onNotLeader(tp, askedNode, error.getLeader());
    }
    if (Errors.isError(error)) {
      throw Errors.toException(error, tp);
    }
  }

  /** Groups partitions by topic, for requests that take TopicPartitions. */
  public static Map<String, List<Integer>> byTopic(Iterable<TopicPartition> partitions) {
    Map<String, List<Integer>> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
    }
    return out;
  }
}
