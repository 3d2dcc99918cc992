package io.keel.client.internal;

import io.keel.client.TopicPartition;
import io.keel.client.share.ShareGroupDescription;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.ShareMemberDescription;
import io.keel.proto.SharePartitionDescription;

/** Maps share-group protos to the public client types. */
public final class ShareProtos {
  private ShareProtos() {}

  public static ShareGroupDescription description(DescribeShareGroupResponse r) {
    return new ShareGroupDescription(
        r.getGroupId(),
        r.getMembersList().stream().map(ShareProtos::member).toList(),
        r.getPartitionsList().stream().map(ShareProtos::partition).toList(),
        r.getDeadLetterTopicSuffix());
  }

  private static ShareGroupDescription.Member member(ShareMemberDescription m) {
    return new ShareGroupDescription.Member(
        m.getMemberId(), m.getClientId(), m.getSubscribedTopicsList(), m.getAcquired());
  }

  private static ShareGroupDescription.Partition partition(SharePartitionDescription p) {
    return new ShareGroupDescription.Partition(
        new TopicPartition(p.getTopic(), p.getPartition()),
        p.getStartOffset(),
        p.getEndOffset(),
        p.getHighWatermark(),
        p.getAvailable(),
        p.getAcquired(),
        p.getDelayed(),
        p.getDeadLetterPending(),
        p.getMaxDeliveryCount(),
        p.getOldestUnackedAgeMs(),
        p.getDeadLettered(),
        p.getLockExpiries(),
        p.getRedeliveries(),
        p.getLag());
  }
}
