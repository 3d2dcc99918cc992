package io.keel.broker;

import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.raft.RaftGroup;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/** Picks, for each group led here, the peer to hand leadership to during controlled shutdown. */
final class LeadershipHandoff {
  private LeadershipHandoff() {}

  static void transferAll(Collection<RaftGroup> groups, MetadataImage image, int self) {
    for (RaftGroup g : groups) {
      if (g.isLeader()) {
        target(g, image, self).ifPresent(g::transferLeadership);
      }
    }
  }

  /** The voter with the highest match index, preferring online nodes. */
  static Optional<Integer> target(RaftGroup group, MetadataImage image, int self) {
    Map<Integer, Long> match = group.followerMatchIndexes();
    Comparator<Integer> byPreference =
        Comparator.<Integer, Boolean>comparing(
                id -> image.broker(id).map(BrokerInfo::online).orElse(false))
            .thenComparing(id -> match.getOrDefault(id, 0L));
    return group.membership().voters().stream().filter(id -> id != self).max(byPreference);
  }
}
