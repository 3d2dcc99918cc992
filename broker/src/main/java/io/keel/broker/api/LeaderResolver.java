package io.keel.broker.api;

import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.PartitionLeader;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.PartitionReplica;

/**
 * Who leads a partition as far as this node can tell. A local replica knows its group's leader from
 * Raft itself (within a tick of an election); the controller's hint covers partitions not hosted
 * here. The view with the higher term wins, so a paused-then-resumed replica that still believes it
 * leads loses to the hint naming its successor.
 */
final class LeaderResolver {

  /** A leader and the Raft term it leads in; node 0 and epoch -1 when unknown. */
  record Leader(int nodeId, long epoch) {
    static final Leader UNKNOWN = new Leader(0, -1);

    boolean known() {
      return nodeId > 0;
    }
  }

  private final PartitionManager partitions;
  private final MetadataView metadata;

  LeaderResolver(PartitionManager partitions, MetadataView metadata) {
    this.partitions = partitions;
    this.metadata = metadata;
  }

  Leader leaderOf(TopicInfo topic, int partition) {
    Leader local =
        partitions
            .replica(topic.name(), partition)
            .map(LeaderResolver::raftView)
            .orElse(Leader.UNKNOWN);
    return newer(local, hint(topic.groupId(partition)));
  }

  /** The leader of {@code topic}-{@code partition}; unknown for a topic not in the metadata. */
  Leader leaderOf(String topic, int partition) {
    return metadata.topic(topic).map(t -> leaderOf(t, partition)).orElse(Leader.UNKNOWN);
  }

  private Leader hint(long groupId) {
    PartitionLeader hint = metadata.partitionLeaders().get(groupId);
    return hint == null ? Leader.UNKNOWN : new Leader(hint.nodeId(), hint.term());
  }

  /**
   * The replica's leader and term, read so they belong together: the group publishes the leader
   * before the term, so an unchanged term around the leader read means the pair is consistent (at
   * worst the term is older than the leader's, which only makes the answer lose to a newer one).
   */
  static Leader raftView(PartitionReplica replica) {
    long before = replica.term();
    int leaderId = replica.leaderId();
    long after = replica.term();
    return leaderId > 0 && before == after ? new Leader(leaderId, before) : Leader.UNKNOWN;
  }

  /** The known leader with the higher term; on a tie the first (the local view). */
  static Leader newer(Leader a, Leader b) {
    if (!b.known()) {
      return a;
    }
    if (!a.known()) {
      return b;
    }
    return b.epoch() > a.epoch() ? b : a;
  }
}
