package io.keel.broker.partition;

import io.keel.raft.Checks;

/**
 * A partition and the Raft group that replicates it.
 *
 * @param topic topic name
 * @param partition partition number, from 0
 * @param groupId the partition's Raft group id, assigned by the controller
 */
public record PartitionId(String topic, int partition, long groupId) {
  public PartitionId {
    Checks.arg(topic != null && !topic.isEmpty(), "topic must be non-empty");
    Checks.arg(partition >= 0, "partition must be >= 0, was %s", partition);
    Checks.arg(groupId > 0, "partition group id must be > 0, was %s", groupId);
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
