package io.keel.client.internal.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.TopicPartition;
import io.keel.proto.Assignment;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.TopicPartitions;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberStateTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private static ConsumerGroupHeartbeatResponse reply(int epoch, int... partitions) {
    TopicPartitions.Builder tps = TopicPartitions.newBuilder().setTopic("t");
    for (int p : partitions) {
      tps.addPartitions(p);
    }
    return ConsumerGroupHeartbeatResponse.newBuilder()
        .setMemberId("m")
        .setMemberEpoch(epoch)
        .setHeartbeatIntervalMs(50)
        .setAssignment(Assignment.newBuilder().addPartitions(tps))
        .build();
  }

  @Test
  void reportsAssignmentsNotYetAdoptedAsOwned() {
    MemberState s = new MemberState();
    s.subscribe(Set.of("t"));
    MemberState.Request join = s.request();
    assertEquals(0, join.memberEpoch());
    s.accept(join, reply(1, 0, 1));
    // Not yet adopted by poll(): still reported, so the coordinator cannot give it away.
    assertEquals(Set.of(P0, P1), s.request().owned());
    MemberState.Work work = s.takeWork();
    assertEquals(Set.of(P0, P1), work.assignment());
    assertEquals(Set.of(P0, P1), s.request().owned(), "being applied");
    s.owned(work.assignment());
    // Told to revoke P1: still owned until poll() has revoked it.
    s.accept(s.request(), reply(1, 0));
    assertEquals(Set.of(P0, P1), s.request().owned());
    s.owned(s.takeWork().assignment());
    assertEquals(Set.of(P0), s.request().owned());
    assertNull(s.takeWork().assignment());
  }

  @Test
  void fencedMemberLosesEverythingAndRejoinsWithEpochZero() {
    MemberState s = new MemberState();
    s.subscribe(Set.of("t"));
    s.accept(s.request(), reply(3, 0));
    s.owned(s.takeWork().assignment());
    s.fenced(true);
    MemberState.Request rejoin = s.request();
    assertEquals(0, rejoin.memberEpoch());
    assertEquals("m", rejoin.memberId());
    assertEquals(Set.of(), rejoin.owned());
    s.accept(rejoin, reply(4, 0));
    MemberState.Work work = s.takeWork();
    assertTrue(work.lost());
    assertEquals(Set.of(P0), work.assignment(), "re-granted after the loss is processed");
  }
}
