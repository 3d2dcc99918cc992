package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RaftNodeTest {
  private static final Set<Integer> THREE = Set.of(1, 2, 3);

  @Test
  void electsALeaderWhichCommitsANoopOfItsTerm() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    assertEquals(RaftRole.LEADER, c.node(1).role());
    assertEquals(1, c.node(2).leaderId());
    assertEquals(1, c.node(3).leaderId());
    assertEquals(1, c.node(1).commitIndex());
    assertEquals(EntryType.NOOP, c.member(1).applied.get(0).type());
  }

  @Test
  void replicatesCommitsAndAppliesEverywhereInOrder() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    for (int i = 0; i < 20; i++) {
      c.node(1).propose(("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    c.settle();
    c.tickAll(1);
    for (int id : THREE) {
      assertEquals(20, c.appliedData(id).size(), "node " + id);
      assertEquals("v19", c.appliedData(id).get(19));
    }
  }

  @Test
  void followerRefusesProposalsNamingTheLeader() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    NotLeaderException e =
        assertThrows(NotLeaderException.class, () -> c.node(2).propose(new byte[] {1}));
    assertEquals(1, e.leaderId());
  }

  @Test
  void nothingCommitsWithoutAQuorum() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.isolate(1);
    long index = c.propose(1, "lonely");
    assertTrue(c.node(1).commitIndex() < index);
    assertTrue(c.appliedData(1).isEmpty());
  }

  @Test
  void preVoteKeepsAnIsolatedNodeFromInflatingTerms() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    long term = c.node(1).term();
    c.isolate(3);
    for (int i = 0; i < 100; i++) {
      c.node(3).tick();
      c.settle();
    }
    assertEquals(term, c.node(3).term(), "pre-candidate must not bump its term");
    assertEquals(RaftRole.PRE_CANDIDATE, c.node(3).role());
    c.heal();
    c.tickAll(3);
    assertEquals(RaftRole.LEADER, c.node(1).role());
    assertEquals(term, c.node(1).term());
  }

  @Test
  void checkQuorumMakesAnIsolatedLeaderStepDown() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 10; i++) {
      c.node(1).tick();
      c.settle();
    }
    assertEquals(RaftRole.LEADER, c.node(1).role(), "the first round still saw followers");
    for (int i = 0; i < 10; i++) {
      c.node(1).tick();
      c.settle();
    }
    assertEquals(RaftRole.FOLLOWER, c.node(1).role());
    assertThrows(NotLeaderException.class, () -> c.node(1).propose(new byte[] {1}));
  }

  @Test
  void followersInLeaseIgnoreDisruptiveVoteRequests() {
    RaftTestCluster c =
        RaftTestCluster.of(
            THREE,
            cfg ->
                new RaftConfig(
                    cfg.groupId(),
                    cfg.nodeId(),
                    10,
                    1,
                    64,
                    1 << 20,
                    32 << 20,
                    1 << 20,
                    false,
                    true,
                    false));
    c.elect(1);
    long term = c.node(1).term();
    c.node(2)
        .step(
            new Message.VoteRequest(
                RaftTestCluster.GROUP, 3, 2, term + 5, false, 100, term, false));
    assertEquals(term, c.node(2).term());
    assertEquals(1, c.node(2).leaderId());
  }

  @Test
  void leadershipTransferHandsOverAndPausesProposals() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "a");
    c.cut(1, 2);
    c.node(1).transferLeadership(2);
    NotLeaderException e =
        assertThrows(NotLeaderException.class, () -> c.node(1).propose(new byte[] {1}));
    assertEquals(2, e.leaderId());
    c.heal();
    c.tickAll(2);
    assertEquals(RaftRole.LEADER, c.node(2).role());
    assertEquals(RaftRole.FOLLOWER, c.node(1).role());
    assertTrue(c.sent().stream().anyMatch(m -> m instanceof Message.TimeoutNow));
  }

  @Test
  void transferIsAbandonedAfterAnElectionTimeout() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.isolate(2);
    c.node(1).transferLeadership(2);
    c.cut(1, 3);
    c.heal();
    c.isolate(2);
    for (int i = 0; i < 10; i++) {
      c.node(1).tick();
      c.node(3).tick();
      c.settle();
    }
    assertEquals(RaftRole.LEADER, c.node(1).role());
    c.propose(1, "after");
  }

  @Test
  void membershipChangesAddPromoteAndRemove() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "before");
    c.addBlankNode(4);
    c.node(1).proposeMembership(new MembershipChange.AddLearner(4));
    c.settle();
    c.tickAll(2);
    assertEquals(Set.of(4), c.node(1).membership().learners());
    assertEquals(List.of("before"), c.appliedData(4));
    c.node(1).proposeMembership(new MembershipChange.PromoteLearner(4));
    c.settle();
    assertEquals(Set.of(1, 2, 3, 4), c.node(1).membership().voters());
    c.node(1).proposeMembership(new MembershipChange.RemoveNode(3));
    c.settle();
    assertEquals(Set.of(1, 2, 4), c.node(1).membership().voters());
    c.isolate(3);
    c.isolate(2);
    c.heal();
    c.isolate(3);
    long index = c.propose(1, "after");
    assertTrue(c.node(1).commitIndex() >= index);
  }

  @Test
  void membershipChangeRulesAreEnforced() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.addBlankNode(4);
    c.isolate(4);
    c.node(1).proposeMembership(new MembershipChange.AddLearner(4));
    IllegalStateException pending =
        assertThrows(
            IllegalStateException.class,
            () -> c.node(1).proposeMembership(new MembershipChange.RemoveNode(2)));
    assertTrue(pending.getMessage().contains("not committed"), pending.getMessage());
    c.settle();
    c.propose(1, "x");
    IllegalStateException lagging =
        assertThrows(
            IllegalStateException.class,
            () -> c.node(1).proposeMembership(new MembershipChange.PromoteLearner(4)));
    assertTrue(lagging.getMessage().contains("not caught up"), lagging.getMessage());
    IllegalStateException self =
        assertThrows(
            IllegalStateException.class,
            () -> c.node(1).proposeMembership(new MembershipChange.RemoveNode(1)));
    assertTrue(self.getMessage().contains("transfer leadership"), self.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> c.node(1).proposeMembership(new MembershipChange.AddLearner(2)));
  }

  @Test
  void laggingFollowerCatchesUpFromAChunkedSnapshot() {
    RaftTestCluster c =
        RaftTestCluster.of(
            THREE,
            cfg ->
                new RaftConfig(
                    cfg.groupId(),
                    cfg.nodeId(),
                    10,
                    1,
                    64,
                    1 << 20,
                    32 << 20,
                    7,
                    true,
                    true,
                    false));
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 10; i++) {
      c.propose(1, "e" + i);
    }
    RaftNode leader = c.node(1);
    byte[] image = "state-machine-image-of-thirty-bytes".getBytes(StandardCharsets.UTF_8);
    leader.compact(leader.appliedIndex(), image);
    c.heal();
    c.tickAll(3);
    RaftTestCluster.Member follower = c.member(3);
    assertEquals(1, follower.installed.size());
    Snapshot s = follower.installed.get(0);
    assertEquals(leader.appliedIndex(), s.index());
    assertEquals(
        new String(image, StandardCharsets.UTF_8), new String(s.data(), StandardCharsets.UTF_8));
    long chunks = c.sent().stream().filter(m -> m instanceof Message.SnapshotChunk).count();
    assertTrue(chunks >= 5, "expected several 7-byte chunks, saw " + chunks);
    c.propose(1, "after");
    c.tickAll(1);
    assertEquals(List.of("after"), c.appliedData(3));
  }

  @Test
  void divergentFollowerLogIsRepairedWithConflictHints() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "common");
    c.isolate(1);
    for (int i = 0; i < 30; i++) {
      c.node(1).propose(("lost" + i).getBytes(StandardCharsets.UTF_8));
    }
    c.settle();
    c.tickAll(30);
    int leader = c.node(2).role() == RaftRole.LEADER ? 2 : 3;
    assertEquals(RaftRole.LEADER, c.node(leader).role());
    c.propose(leader, "kept");
    c.heal();
    c.tickAll(12);
    assertEquals(RaftRole.FOLLOWER, c.node(1).role());
    assertEquals(List.of("common", "kept"), c.appliedData(1));
    long rejections =
        c.sent().stream()
            .filter(m -> m instanceof Message.AppendResponse r && !r.success() && r.from() == 1)
            .count();
    assertTrue(rejections <= 3, "conflict hints should skip the term at once: " + rejections);
  }

  @Test
  void readIndexNeedsAHeartbeatQuorum() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "x");
    c.isolate(1);
    c.node(1).readIndex(7);
    c.settle();
    assertTrue(c.member(1).reads.isEmpty());
    c.heal();
    c.tickAll(1);
    assertEquals(List.of(new ReadState(7, c.node(1).commitIndex())), c.member(1).reads);
    assertThrows(NotLeaderException.class, () -> c.node(2).readIndex(8));
  }

  @Test
  void leaseReadAnswersWithoutARoundTrip() {
    RaftTestCluster c =
        RaftTestCluster.of(
            THREE,
            cfg ->
                new RaftConfig(
                    cfg.groupId(),
                    cfg.nodeId(),
                    10,
                    1,
                    64,
                    1 << 20,
                    32 << 20,
                    1 << 20,
                    true,
                    true,
                    true));
    c.elect(1);
    c.isolate(1);
    c.node(1).readIndex(9);
    c.settle();
    assertEquals(1, c.member(1).reads.size());
  }

  @Test
  void voteSurvivesACrash() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    long term = c.node(1).term();
    c.crashAndRestart(2);
    assertEquals(term, c.node(2).term());
    c.node(2)
        .step(new Message.VoteRequest(RaftTestCluster.GROUP, 3, 2, term, false, 100, term, false));
    assertTrue(c.node(2).hasReady());
    Ready r = c.node(2).ready();
    Message.VoteResponse answer = (Message.VoteResponse) r.messages().get(0);
    assertFalse(answer.granted(), "already voted for 1 in this term before the crash");
    c.node(2).advance(r);
  }

  @Test
  void restartReappliesCommittedEntriesAfterTheSnapshot() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.tickAll(1);
    c.crashAndRestart(2);
    c.settle();
    assertEquals(List.of("a", "b"), c.appliedData(2));
  }

  @Test
  void callsBetweenReadyAndAdvanceAreRejected() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.node(1).propose(new byte[] {1});
    Ready r = c.node(1).ready();
    assertThrows(IllegalStateException.class, () -> c.node(1).tick());
    assertThrows(IllegalStateException.class, () -> c.node(1).propose(new byte[] {2}));
    assertNotNull(r);
  }

  @Test
  void messagesForAnotherGroupAreRejected() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.node(1).step(new Message.TimeoutNow(99, 2, 1, 1)));
    assertTrue(e.getMessage().contains("group 99"), e.getMessage());
  }

  @Test
  void singleVoterGroupCommitsOnItsOwn() {
    MemoryDurableStore store = new MemoryDurableStore();
    RaftNode.bootstrap(store.group(5), Membership.ofVoters(Set.of(1)));
    store.sync();
    RaftNode node =
        new RaftNode(RaftConfig.defaults(5, 1), store.group(5), new SplittableRandom(1));
    for (int i = 0; i < 30 && node.role() != RaftRole.LEADER; i++) {
      node.tick();
    }
    assertEquals(RaftRole.LEADER, node.role());
    long index = node.propose(new byte[] {42});
    int applied = 0;
    while (node.hasReady()) {
      Ready r = node.ready();
      store.group(5).append(r.entries());
      if (r.hardState() != null) {
        store.group(5).setHardState(r.hardState());
      }
      store.sync();
      applied += r.committedEntries().size();
      node.advance(r);
    }
    assertEquals(index, node.commitIndex());
    assertEquals(2, applied);
  }

  @Test
  void configRejectsBadLimitsNamingTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RaftConfig(1, 1, 10, 1, 0, 1, 1, 1, true, true, false));
    assertTrue(e.getMessage().contains("maxInflightAppends"), e.getMessage());
  }
}
