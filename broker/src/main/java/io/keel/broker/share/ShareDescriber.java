package io.keel.broker.share;

import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.ShareMemberDescription;
import io.keel.proto.SharePartitionDescription;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** DescribeShareGroup: the coordinator's view plus each partition's high watermark (for lag). */
final class ShareDescriber {
  private ShareDescriber() {}

  static CompletableFuture<DescribeShareGroupResponse> describe(
      ShareCoordinator coordinator,
      String groupId,
      HighWatermarkLookup highWatermarks,
      InstantSource clock,
      ShareSettings settings) {
    return coordinator
        .describe(groupId)
        .thenCompose(
            view -> {
              List<CompletableFuture<SharePartitionDescription>> parts = new ArrayList<>();
              long now = clock.millis();
              for (ShareCoordinator.PartitionView p : view.partitions()) {
                parts.add(
                    highWatermarks
                        .of(p.partition().topic(), p.partition().partition(), p.endOffset())
                        .thenApply(hw -> partition(p, hw, now)));
              }
              return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                  .thenApply(
                      v -> {
                        DescribeShareGroupResponse.Builder out =
                            DescribeShareGroupResponse.newBuilder()
                                .setGroupId(groupId)
                                .setDeadLetterTopicSuffix(settings.deadLetterSuffix());
                        view.members()
                            .forEach(
                                m ->
                                    out.addMembers(
                                        ShareMemberDescription.newBuilder()
                                            .setMemberId(m.memberId())
                                            .setClientId(m.clientId())
                                            .addAllSubscribedTopics(m.topics())
                                            .setAcquired(
                                                view.held().getOrDefault(m.memberId(), 0))));
                        parts.forEach(f -> out.addPartitions(f.join()));
                        return out.build();
                      });
            });
  }

  private static SharePartitionDescription partition(
      ShareCoordinator.PartitionView p, long highWatermark, long now) {
    return SharePartitionDescription.newBuilder()
        .setTopic(p.partition().topic())
        .setPartition(p.partition().partition())
        .setStartOffset(p.startOffset())
        .setEndOffset(p.endOffset())
        .setHighWatermark(highWatermark)
        .setAvailable(p.available())
        .setAcquired(p.acquired())
        .setDelayed(p.delayed())
        .setDeadLetterPending(p.archiving())
        .setMaxDeliveryCount(p.maxDeliveryCount())
        .setOldestUnackedAgeMs(
            p.oldestUnackedSinceMs() == Long.MAX_VALUE
                ? 0
                : Math.max(0, now - p.oldestUnackedSinceMs()))
        .setDeadLettered(p.counters().deadLettered())
        .setLockExpiries(p.counters().lockExpiries())
        .setRedeliveries(p.counters().redeliveries())
        .setLag(highWatermark < 0 ? -1 : Math.max(0, highWatermark - p.startOffset()))
        .build();
  }
}
