package io.keel.client.share;

import io.keel.client.TopicPartition;
import java.util.List;

/**
 * A share group as its coordinator sees it ({@code KeelAdmin.describeShareGroup}). A group nobody
 * ever joined has no members and no partitions.
 *
 * @param deadLetterTopicSuffix the dead-letter topic of topic T is T + this suffix
 */
public record ShareGroupDescription(
    String groupId,
    List<Member> members,
    List<Partition> partitions,
    String deadLetterTopicSuffix) {
  public ShareGroupDescription {
    members = List.copyOf(members);
    partitions = List.copyOf(partitions);
  }

  /** A member and how many records it holds now. */
  public record Member(
      String memberId, String clientId, List<String> subscribedTopics, int acquired) {
    public Member {
      subscribedTopics = List.copyOf(subscribedTopics);
    }
  }

  /**
   * The group's window on one partition.
   *
   * @param startOffset every offset below is done (accepted or dead-lettered)
   * @param endOffset the next offset the coordinator reads into the window
   * @param highWatermark the partition's; -1 when its leader did not answer
   * @param deadLetterPending rejected or out of deliveries, the dead-letter produce running
   * @param maxDeliveryCount the highest delivery count in the window
   * @param oldestUnackedAgeMs age of the oldest record not done yet (0 when none)
   * @param deadLettered records dead-lettered so far (replicated total)
   * @param lag high watermark minus start: records not done yet; -1 when unknown
   */
  public record Partition(
      TopicPartition partition,
      long startOffset,
      long endOffset,
      long highWatermark,
      int available,
      int acquired,
      int delayed,
      int deadLetterPending,
      int maxDeliveryCount,
      long oldestUnackedAgeMs,
      long deadLettered,
      long lockExpiries,
      long redeliveries,
      long lag) {
    /** Records in the window that are not waiting for their deliver-at time. */
    public int inFlight() {
      return available + acquired + deadLetterPending;
    }
  }

  /** The dead-letter topic of {@code topic} for this group's coordinator. */
  public String deadLetterTopic(String topic) {
    return topic + deadLetterTopicSuffix;
  }
}
