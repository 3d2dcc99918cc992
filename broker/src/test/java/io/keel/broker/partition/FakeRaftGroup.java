package io.keel.broker.partition;

import io.keel.broker.raft.Proposal;
import io.keel.broker.raft.ProposalFailedException;
import io.keel.broker.raft.RaftGroup;
import io.keel.raft.Membership;
import io.keel.raft.NotLeaderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A {@link RaftGroup} driven by the test: runs submitted tasks inline (the test thread is the event
 * loop), records proposals and hands them to {@code onPropose} (which typically stages them in a
 * real store); the test decides when each commits.
 */
final class FakeRaftGroup implements RaftGroup {
  record Proposed(long term, long index, byte[] data, Proposal proposal) {}

  private final long groupId;
  private final List<Proposed> proposed = new ArrayList<>();
  private final Consumer<Proposed> onPropose;
  private boolean leader;
  private int leaderId;
  private long term = 1;
  private long lastIndex;
  long compactedTo;

  FakeRaftGroup(long groupId, long lastIndex, Consumer<Proposed> onPropose) {
    this.groupId = groupId;
    this.lastIndex = lastIndex;
    this.onPropose = onPropose;
  }

  void setRole(boolean isLeader, int leader, long newTerm) {
    this.leader = isLeader;
    this.leaderId = leader;
    this.term = newTerm;
  }

  /** Reserves an index for an entry the test appends itself (e.g. a leader's NOOP). */
  long nextIndex() {
    return ++lastIndex;
  }

  List<Proposed> proposed() {
    return proposed;
  }

  void failAll() {
    for (Proposed p : proposed) {
      ProposalFailedException e = new ProposalFailedException(groupId, p.index(), "test");
      p.proposal().appended().completeExceptionally(e);
      p.proposal().committed().completeExceptionally(e);
    }
  }

  @Override
  public long groupId() {
    return groupId;
  }

  @Override
  public Executor executor() {
    return Runnable::run;
  }

  @Override
  public Proposal propose(byte[] data) {
    if (!leader) {
      throw new NotLeaderException(groupId, 1, leaderId, "not leader");
    }
    Proposal p = new Proposal(++lastIndex, new CompletableFuture<>(), new CompletableFuture<>());
    Proposed rec = new Proposed(term, p.index(), data, p);
    proposed.add(rec);
    onPropose.accept(rec);
    return p;
  }

  @Override
  public boolean isLeader() {
    return leader;
  }

  @Override
  public int leaderId() {
    return leaderId;
  }

  @Override
  public long term() {
    return term;
  }

  @Override
  public long commitIndex() {
    return 0;
  }

  @Override
  public long appliedIndex() {
    return 0;
  }

  @Override
  public CompletableFuture<Long> readIndex() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }

  @Override
  public void transferLeadership(int nodeId) {}

  @Override
  public void compact(long index) {
    compactedTo = index;
  }

  @Override
  public Membership membership() {
    return Membership.ofVoters(Set.of(1, 2, 3));
  }

  @Override
  public Map<Integer, Long> followerMatchIndexes() {
    return Map.of();
  }
}
