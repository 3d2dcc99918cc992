package io.keel.broker.group;

/**
 * A record of the {@code __consumer_offsets} log. Every replica applies the same records in the
 * same order, so every replica holds the same groups and offsets.
 */
public sealed interface GroupRecord
    permits GroupMetadata, GroupRecord.OffsetCommit, GroupRecord.GroupTombstone {

  String groupId();

  /**
   * A committed offset.
   *
   * @param offset the next offset to consume
   * @param commitTimeMs the coordinator's clock when it accepted the commit
   * @param memberEpoch the committing member's epoch, -1 for an admin commit
   */
  record OffsetCommit(
      String groupId,
      String topic,
      int partition,
      long offset,
      String metadata,
      long commitTimeMs,
      int memberEpoch)
      implements GroupRecord {
    public TopicPartition topicPartition() {
      return new TopicPartition(topic, partition);
    }
  }

  /** Deletes the group and all of its committed offsets. */
  record GroupTombstone(String groupId) implements GroupRecord {}
}
