package io.keel.client.internal;

import io.keel.client.NotLeaderException;
import io.keel.client.TopicPartition;
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

/** Looks up earliest/latest offsets with ListOffsets at each partition's leader. */
public final class OffsetLookup {
  private final MetadataManager metadata;
  private final BlockingRpc rpc;

  public OffsetLookup(MetadataManager metadata, BlockingRpc rpc) {
    this.metadata = metadata;
    this.rpc = rpc;
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
    ListOffsetsResponse response =
        rpc.call(
            "ListOffsets(" + kind + ") for " + tp,
            () -> leaderAddress(tp),
            stub -> stub.listOffsets(request),
            r -> check(r, tp),
            metadata::update,
            deadlineNanos);
    return response.getPartitions(0).getOffset();
  }

  private HostPort leaderAddress(TopicPartition tp) {
    ClusterSnapshot snapshot = metadata.current();
    int leader = snapshot.leaderId(tp);
    if (leader == 0) {
      metadata.update();
      throw new NotLeaderException("no known leader for " + tp);
    }
    return snapshot.address(leader);
  }

  private static void check(ListOffsetsResponse response, TopicPartition tp) {
    List<ListOffsetsPartitionResponse> partitions = new ArrayList<>(response.getPartitionsList());
    if (partitions.size() != 1) {
      throw new NotLeaderException("ListOffsets for " + tp + " returned " + partitions.size());
    }
    if (Errors.isError(partitions.get(0).getError())) {
      throw Errors.toException(partitions.get(0).getError(), tp);
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
