package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.proto.LeaderTransfer;
import io.keel.proto.LedGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderBalancerTest {
  private static final long SESSION_NANOS = 1_000_000_000L;
  private static final long NOW = 10 * SESSION_NANOS;

  private final TopicInfo topic =
      new TopicInfo(
          "t", 1, List.of(List.of(1, 2, 3), List.of(2, 3, 1), List.of(3, 1, 2)), Map.of());

  private MetadataImage image(boolean node1Online) {
    return new MetadataImage(
        10,
        2,
        Map.of(
            1, new BrokerInfo(1, "a:1", "a:1", node1Online),
            2, new BrokerInfo(2, "b:1", "b:1", true),
            3, new BrokerInfo(3, "c:1", "c:1", true)),
        Map.of("t", topic));
  }

  /** Node 2 leads partitions 0 and 1 (term 5); node 3 leads partition 2. */
  private BrokerSessions sessions() {
    BrokerSessions s = new BrokerSessions(SESSION_NANOS);
    s.reset(NOW);
    for (int id = 1; id <= 3; id++) {
      s.heard(id, NOW);
    }
    s.reportLeadership(2, List.of(led(topic.groupId(0)), led(topic.groupId(1))));
    s.reportLeadership(3, List.of(led(topic.groupId(2))));
    return s;
  }

  private static LedGroup led(long groupId) {
    return LedGroup.newBuilder().setGroupId(groupId).setTerm(5).build();
  }

  @Test
  void movesEveryMisplacedLeadershipInOnePass() {
    BrokerSessions s = sessions();
    assertEquals(1, LeaderBalancer.plan(image(true), s, NOW));
    List<LeaderTransfer> toNode2 = s.takeTransfers(2);
    assertEquals(1, toNode2.size());
    assertEquals(topic.groupId(0), toNode2.get(0).getGroupId());
    assertEquals(1, toNode2.get(0).getTargetNodeId());
    assertTrue(s.takeTransfers(2).isEmpty(), "transfers are handed out once");
  }

  @Test
  void leavesLeadershipAloneWhileThePreferredNodeIsOfflineOrShuttingDown() {
    assertEquals(0, LeaderBalancer.plan(image(false), sessions(), NOW));
    BrokerSessions s = sessions();
    s.setShuttingDown(1, true);
    assertEquals(0, LeaderBalancer.plan(image(true), s, NOW));
  }

  @Test
  void leavesLeadershipAloneWhileThePreferredNodeIsSilent() {
    BrokerSessions s = sessions();
    s.heard(1, NOW - 2 * SESSION_NANOS);
    assertEquals(0, LeaderBalancer.plan(image(true), s, NOW));
  }
}
