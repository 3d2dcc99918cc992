package io.keel.client;

import java.util.List;
import java.util.Set;

/** A consumer group: its members, their assignments and the group's lag per partition. */
public record GroupDescription(
    String groupId,
    GroupState state,
    int groupEpoch,
    int assignmentEpoch,
    NodeInfo coordinator,
    String assignor,
    List<Member> members,
    List<PartitionLag> offsets) {
  public GroupDescription {
    members = List.copyOf(members);
    offsets = List.copyOf(offsets);
  }

  /** One member; {@code instanceId} is null for dynamic members. */
  public record Member(
      String memberId,
      String instanceId,
      String clientId,
      String clientHost,
      int memberEpoch,
      List<String> subscribedTopics,
      Set<TopicPartition> assignment,
      Set<TopicPartition> targetAssignment) {}

  /** Committed offset and lag of one partition; -1 where unknown. {@code memberId} "" = unowned. */
  public record PartitionLag(
      TopicPartition partition,
      long committedOffset,
      long logEndOffset,
      long lag,
      String memberId) {}
}
