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
    for (int i = 0; i < 9; i++) {
      c.node(1).tick();
      c.settle();
    }
    assertEquals(RaftRole.LEADER, c.node(1).role(), "heard from a quorum 9 ticks ago");
    c.node(1).tick();
    c.settle();
    assertEquals(RaftRole.FOLLOWER, c.node(1).role(), "exactly electionTicks without a quorum");
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
  void leaseReadAnswersWithoutARoundTripWhileTheLeaseHolds() {
    RaftTestCluster c = RaftTestCluster.of(THREE, RaftNodeTest::leaseReads);
    c.elect(1);
    c.tickAll(1);
    c.isolate(1);
    c.node(1).readIndex(9);
    c.settle();
    assertEquals(1, c.member(1).reads.size());
  }

  @Test
  void leaseEndsBeforeAnyFollowerCouldVoteForAnotherCandidate() {
    RaftTestCluster c = RaftTestCluster.of(THREE, RaftNodeTest::leaseReads);
    c.elect(1);
    c.tickAll(1);
    c.isolate(1);
    // 10 election ticks, 10 % drift: the lease lasts (10 - 1) * 100 / 110 = 8 ticks.
    for (int i = 0; i < 8; i++) {
      c.node(1).tick();
      c.settle();
    }
    c.node(1).readIndex(9);
    c.settle();
    assertEquals(0, c.member(1).reads.size(), "the lease must have run out");
  }

  @Test
  void noLeaseReadsOnceALeadershipTransferStarted() {
    RaftTestCluster c = RaftTestCluster.of(THREE, RaftNodeTest::leaseReads);
    c.elect(1);
    c.tickAll(1);
    c.cut(1, 2);
    assertTrue(c.node(1).transferLeadership(2));
    c.node(1).readIndex(9);
    assertEquals(0, c.member(1).reads.size());
  }

  @Test
  void restartedVoterRefusesVotesForAnElectionTimeout() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.crashAndRestart(2);
    long term = c.node(2).term();
    c.node(2)
        .step(
            new Message.VoteRequest(RaftTestCluster.GROUP, 3, 2, term + 1, true, 100, term, false));
    assertTrue(c.node(2).hasReady() == false || c.node(2).ready().messages().isEmpty());
  }

  private static RaftConfig leaseReads(RaftConfig cfg) {
    return new RaftConfig(
        cfg.groupId(), cfg.nodeId(), 10, 1, 64, 1 << 20, 32 << 20, 1 << 20, true, true, true);
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
  void restartReappliesCommittedEntriesOnceTheLeaderConfirmsThem() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.tickAll(1);
    c.crashAndRestart(2);
    c.settle();
    assertEquals(List.of(), c.appliedData(2), "the persisted commit index is only a hint");
    c.tickAll(1);
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

  @Test
  void tornReadyNeverAppliesEntriesThePersistedCommitNoLongerCovers() {
    RaftTestCluster c = RaftTestCluster.of(Set.of(1, 2, 3, 4, 5));
    int leader = tornReadyOnNode3(c);
    assertFalse(c.appliedData(3).contains("x1"), "applied an overwritten entry");
    c.propose(leader, "y3");
    c.tickAll(5);
    assertEquals(c.appliedData(leader), c.appliedData(3));
    assertEquals(List.of("y1", "y2", "y3"), c.appliedData(3));
  }

  @Test
  void trustingThePersistedCommitAppliesOverwrittenEntriesAfterATornReady() {
    RaftTestCluster c =
        RaftTestCluster.of(Set.of(1, 2, 3, 4, 5)).withBugs(Set.of(RaftBug.TRUST_PERSISTED_COMMIT));
    tornReadyOnNode3(c);
    assertTrue(c.appliedData(3).contains("x1"), "the scenario must expose the old behaviour");
  }

  /**
   * Node 3 stores entries x1, x2 of a leader that reaches nobody else; a new leader commits y1, y2
   * at those indexes; power fails on 3 after the hard state (commit 3) of the Ready that overwrites
   * x1, x2 is durable and before the entries are. Returns the new leader.
   */
  private static int tornReadyOnNode3(RaftTestCluster c) {
    c.elect(1);
    for (int other : List.of(2, 4, 5)) {
      c.cut(1, other);
    }
    c.propose(1, "x1");
    c.propose(1, "x2");
    assertEquals(3, c.node(3).lastIndex());
    c.isolate(3);
    c.isolate(1);
    int leader = 0;
    for (int i = 0; i < 300 && leader == 0; i++) {
      c.tickAll(1);
      for (int id : List.of(2, 4, 5)) {
        if (c.node(id).role() == RaftRole.LEADER) {
          leader = id;
        }
      }
    }
    assertTrue(leader != 0, "no new leader among 2, 4, 5");
    c.propose(leader, "y1");
    c.propose(leader, "y2");
    c.member(3).tearReady = r -> r.hardState() != null && r.hardState().commit() >= 3;
    c.heal();
    c.isolate(1);
    c.tickAll(5);
    return leader;
  }

  @Test
  void leaderRepairsAFollowerThatLostAcknowledgedEntries() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.tickAll(1);
    assertEquals(3L, c.node(1).matchIndexes().get(3));
    c.loseLogAndRestart(3, Membership.ofVoters(THREE));
    c.propose(1, "c");
    c.tickAll(3);
    assertEquals(List.of("a", "b", "c"), c.appliedData(3));
    assertEquals(c.node(1).lastIndex(), c.node(1).matchIndexes().get(3));
  }

  @Test
  void configRefusesPreVoteAndCheckQuorumBothOff() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RaftConfig(1, 1, 10, 1, 64, 1, 1, 1, false, false, false));
    assertTrue(e.getMessage().contains("preVote and checkQuorum"), e.getMessage());
  }

  @Test
  void compactBelowAnInstalledSnapshotIsANoOp() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    c.propose(1, "a");
    c.tickAll(1);
    RaftNode leader = c.node(1);
    assertTrue(leader.compact(leader.appliedIndex(), new byte[] {1}));
    assertFalse(leader.compact(leader.appliedIndex() - 1, new byte[] {1}), "already compacted");
    assertFalse(leader.compact(leader.appliedIndex(), new byte[] {1}), "same index again");
  }

  @Test
  void transferToANonVoterIsRefusedWithoutHarm() {
    RaftTestCluster c = RaftTestCluster.of(THREE);
    c.elect(1);
    assertFalse(c.node(1).transferLeadership(7));
    assertFalse(c.node(1).transferLeadership(1));
    c.propose(1, "still accepting");
    assertEquals(RaftRole.LEADER, c.node(1).role());
  }

  @Test
  void proposalsBeyondTheUncommittedLimitsAreRejectedWithAReason() {
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
                    false,
                    10,
                    1000,
                    2,
                    2,
                    1 << 20));
    c.elect(1);
    c.isolate(1);
    RaftNode leader = c.node(1);
    leader.propose(new byte[10]);
    leader.propose(new byte[10]);
    ProposalRejectedException count =
        assertThrows(ProposalRejectedException.class, () -> leader.propose(new byte[10]));
    assertEquals(ProposalRejectedException.Reason.UNCOMMITTED_COUNT, count.reason());
    long lastBefore = leader.lastIndex();
    c.heal();
    c.tickAll(2);
    leader.propose(new byte[900]);
    ProposalRejectedException bytes =
        assertThrows(ProposalRejectedException.class, () -> leader.propose(new byte[200]));
    assertEquals(ProposalRejectedException.Reason.UNCOMMITTED_BYTES, bytes.reason());
    assertEquals(lastBefore + 1, leader.lastIndex(), "a rejected proposal appends nothing");
    c.isolate(1);
    leader.readIndex(1);
    leader.readIndex(2);
    ProposalRejectedException reads =
        assertThrows(ProposalRejectedException.class, () -> leader.readIndex(3));
    assertEquals(ProposalRejectedException.Reason.PENDING_READS, reads.reason());
  }

  @Test
  void snapshotAfterAnInMemoryTruncationKeepsTheSuffixStorageStillHolds() {
    MemoryDurableStore store = new MemoryDurableStore();
    RaftStorage storage = store.group(RaftTestCluster.GROUP);
    Membership members = Membership.ofVoters(THREE);
    RaftNode.bootstrap(storage, members);
    store.sync();
    RaftNode node =
        new RaftNode(
            RaftConfig.defaults(RaftTestCluster.GROUP, 3), storage, new SplittableRandom(3));
    List<Entry> termOne = new java.util.ArrayList<>();
    for (long i = 1; i <= 4; i++) {
      termOne.add(new Entry(1, i, EntryType.NORMAL, new byte[] {(byte) i}));
    }
    node.step(new Message.AppendRequest(RaftTestCluster.GROUP, 1, 3, 1, 0, 0, termOne, 0));
    execute(node, storage, store);
    // One Ready covers both: a term-2 leader's append truncates 2..4 in memory, then the term-3
    // leader's snapshot at (3, 1), which storage still holds.
    node.step(
        new Message.AppendRequest(
            RaftTestCluster.GROUP,
            2,
            3,
            2,
            1,
            1,
            List.of(new Entry(2, 2, EntryType.NORMAL, new byte[] {9})),
            0));
    node.step(
        new Message.SnapshotChunk(
            RaftTestCluster.GROUP, 1, 3, 3, 3, 1, members, 0, new byte[] {3}, true));
    execute(node, storage, store);
    assertEquals(4, node.lastIndex(), "storage kept (4, 1) after the snapshot");
    assertEquals(1, node.termAt(4));
    node.step(
        new Message.AppendRequest(
            RaftTestCluster.GROUP,
            1,
            3,
            3,
            4,
            1,
            List.of(new Entry(3, 5, EntryType.NORMAL, new byte[] {5})),
            5));
    execute(node, storage, store);
    assertEquals(5, node.commitIndex());
  }

  private static void execute(RaftNode node, RaftStorage storage, MemoryDurableStore store) {
    Ready r = node.ready();
    if (r.hardState() != null) {
      storage.setHardState(r.hardState());
    }
    if (r.snapshot() != null) {
      storage.applySnapshot(r.snapshot());
    }
    storage.append(r.entries());
    store.sync();
    node.advance(r);
  }
}
