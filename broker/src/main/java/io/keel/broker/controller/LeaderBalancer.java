package io.keel.broker.controller;

import java.util.List;

/**
 * Preferred-leader balancing: every partition whose leader is not its first replica, while that
 * replica is online and alive, gets a transfer queued for its current leader. All moves of a pass
 * are issued at once; the next heartbeat of each leader carries them.
 */
final class LeaderBalancer {
  private LeaderBalancer() {}

  /** Queues the transfers in {@code sessions}; returns how many were queued. */
  static int plan(MetadataImage image, BrokerSessions sessions, long nowNanos) {
    int queued = 0;
    for (TopicInfo topic : image.topics().values()) {
      for (int p = 0; p < topic.partitions(); p++) {
        List<Integer> replicas = topic.replicas(p);
        int preferred = replicas.get(0);
        PartitionLeader leader = sessions.leaders().get(topic.groupId(p));
        if (leader == null
            || leader.nodeId() == preferred
            || !eligible(image, sessions, preferred, nowNanos)
            || !sessions.alive(leader.nodeId(), nowNanos)) {
          continue;
        }
        sessions.requestTransfer(leader.nodeId(), topic.groupId(p), preferred);
        queued++;
      }
    }
    return queued;
  }

  private static boolean eligible(
      MetadataImage image, BrokerSessions sessions, int nodeId, long nowNanos) {
    return image.broker(nodeId).map(BrokerInfo::online).orElse(false)
        && sessions.alive(nodeId, nowNanos);
  }
}
