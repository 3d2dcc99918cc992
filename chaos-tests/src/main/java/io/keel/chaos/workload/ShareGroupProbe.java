package io.keel.chaos.workload;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.keel.proto.DescribeShareGroupRequest;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelShareGrpc;
import io.keel.proto.SharePartitionDescription;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks the share group's coordinator (whichever node answers DescribeShareGroup; the others say
 * NOT_COORDINATOR) how far each partition is done. The Java admin client has no share API yet.
 */
final class ShareGroupProbe implements AutoCloseable {
  private static final long CALL_TIMEOUT_MS = 2_000;

  private final String group;
  private final List<ManagedChannel> channels;

  ShareGroupProbe(List<String> nodeAddresses, String group) {
    this.group = group;
    this.channels =
        nodeAddresses.stream()
            .map(
                a -> {
                  int colon = a.lastIndexOf(':');
                  return (ManagedChannel)
                      NettyChannelBuilder.forAddress(
                              a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)))
                          .usePlaintext()
                          .build();
                })
            .toList();
  }

  /** Whether every record below {@code ends} of the topic is done (accepted or dead-lettered). */
  boolean drained(String topic, Map<Integer, Long> ends) {
    return describe()
        .map(
            d ->
                ends.entrySet().stream()
                    .allMatch(
                        e ->
                            d.getPartitionsList().stream()
                                .anyMatch(p -> done(p, topic, e.getKey(), e.getValue()))))
        .orElse(false);
  }

  private static boolean done(SharePartitionDescription p, String topic, int partition, long end) {
    return p.getTopic().equals(topic)
        && p.getPartition() == partition
        && p.getStartOffset() >= end
        && p.getDeadLetterPending() == 0;
  }

  private Optional<DescribeShareGroupResponse> describe() {
    for (ManagedChannel c : channels) {
      try {
        DescribeShareGroupResponse r =
            KeelShareGrpc.newBlockingStub(c)
                .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .describeShareGroup(
                    DescribeShareGroupRequest.newBuilder().setGroupId(group).build());
        if (r.getError().getCode() == ErrorCode.NONE) {
          return Optional.of(r);
        }
      } catch (StatusRuntimeException e) {
        // that node is down or slow: ask the next
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
