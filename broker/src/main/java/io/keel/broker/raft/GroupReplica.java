package io.keel.broker.raft;

import io.keel.raft.Checks;
import io.keel.raft.Entry;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import io.keel.raft.RaftNode;
import io.keel.raft.RaftRole;
import io.keel.raft.RaftStorage;
import io.keel.raft.ReadState;
import io.keel.raft.Ready;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local replica of a Raft group: its {@link RaftNode}, its state machine and the futures of its
 * pending proposals and reads. Everything but the volatile getters runs on the owning event loop.
 */
final class GroupReplica implements RaftGroup {
  private static final Logger log = LoggerFactory.getLogger(GroupReplica.class);
  private final long groupId;
  private final EventLoop loop;
  private final GroupStateMachine sm;
  private RaftStorage storage;
  private final RaftObserver observer;
  private final long snapshotIntervalEntries; // 0: compacted only through compact()
  private RaftNode node;

  // Proposals of this node's leadership, by index. Invariant: every term equals the term in which
  // this node proposed it while leader.
  private final TreeMap<Long, Pending> pending = new TreeMap<>();
  private final Map<Long, CompletableFuture<Long>> readsAwaitingIndex = new HashMap<>();
  private final TreeMap<Long, List<CompletableFuture<Long>>> readsAwaitingApply = new TreeMap<>();
  private long nextReadId = 1;
  private long appliedIndex;
  // Term and vote of the last staged hard state: only a change of these needs a sync of its own.
  private long stagedTerm;
  private int stagedVote;
  private RaftRole observedRole = RaftRole.FOLLOWER;

  // Published after every loop iteration that touched the group, for readers on other threads.
  private volatile boolean leader;
  private volatile int leaderId;
  private volatile long term;
  private volatile long commitIndex;
  private volatile long publishedApplied;
  private volatile Membership membership = new Membership(Set.of(), Set.of());
  private volatile Map<Integer, Long> matchIndexes = Map.of();
  private volatile Throwable quarantineCause;
  private volatile CompletableFuture<?> admission; // set while rejoining

  private record Pending(long term, long proposedNanos, Proposal proposal) {}

  GroupReplica(
      long groupId,
      EventLoop loop,
      GroupStateMachine sm,
      RaftObserver observer,
      long snapshotIntervalEntries) {
    this.groupId = groupId;
    this.loop = loop;
    this.sm = sm;
    this.observer = observer;
    this.snapshotIntervalEntries = snapshotIntervalEntries;
  }

  /** Runs on the loop: the node is built there so the storage is only touched by that thread. */
  void init(RaftStorage groupStorage, RaftNode raftNode) {
    this.storage = groupStorage;
    HardState hs = storage.hardState();
    stagedTerm = hs.term();
    stagedVote = hs.vote();
    Snapshot snapshot = storage.snapshot();
    if (snapshot.index() > 0) {
      sm.restoreSnapshot(snapshot);
    }
    this.node = raftNode;
    this.appliedIndex = snapshot.index();
    Checks.state(
        raftNode.appliedIndex() == appliedIndex,
        "group %s: node starts applied at %s but the snapshot is at %s",
        groupId,
        raftNode.appliedIndex(),
        appliedIndex);
    admission = null;
    publish();
  }

  RaftNode node() {
    return node;
  }

  /** Marks the replica as waiting for {@code pending} (its admission) before it starts. */
  void rejoining(CompletableFuture<?> pending) {
    admission = pending;
  }

  /** Stops waiting for an admission (the group or the runtime stops). */
  void stopRejoining() {
    CompletableFuture<?> pending = admission;
    if (pending != null) {
      pending.cancel(false);
    }
  }

  @Override
  public boolean rejoining() {
    CompletableFuture<?> pending = admission;
    return pending != null && !pending.isCancelled();
  }

  @Override
  public long groupId() {
    return groupId;
  }

  @Override
  public Executor executor() {
    return loop;
  }

  @Override
  public Proposal propose(byte[] data) {
    loop.checkOnLoop();
    Checks.state(
        !loop.executingReadys(),
        "group %s: propose from inside a state machine callback; use executor().execute",
        groupId);
    if (quarantineCause != null) {
      throw new ProposalFailedException(groupId, 0, "replica quarantined: " + quarantineCause);
    }
    if (node == null) {
      throw new ProposalFailedException(groupId, 0, "replica not started (rejoining)");
    }
    long index = node.propose(data);
    Proposal proposal = new Proposal(index, new CompletableFuture<>(), new CompletableFuture<>());
    Pending previous = pending.put(index, new Pending(node.term(), System.nanoTime(), proposal));
    Checks.state(previous == null, "group %s: index %s proposed twice", groupId, index);
    return proposal;
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
    return commitIndex;
  }

  @Override
  public long appliedIndex() {
    return publishedApplied;
  }

  @Override
  public CompletableFuture<Long> readIndex() {
    CompletableFuture<Long> result = new CompletableFuture<>();
    loop.enqueue(() -> startRead(result));
    return result;
  }

  private void startRead(CompletableFuture<Long> result) {
    if (node == null || quarantineCause != null) {
      String why = node == null ? "group not started" : "replica quarantined: " + quarantineCause;
      result.completeExceptionally(new ProposalFailedException(groupId, 0, why));
      return;
    }
    long id = nextReadId++;
    try {
      node.readIndex(id);
      readsAwaitingIndex.put(id, result);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void transferLeadership(int nodeId) {
    loop.enqueue(
        () -> {
          if (node == null || node.role() != RaftRole.LEADER || node.nodeId() == nodeId) {
            return;
          }
          try {
            node.transferLeadership(nodeId);
          } catch (RuntimeException e) {
            // A refused transfer (e.g. to a node that is not a voter) changes nothing.
            log.warn(
                "group {}: leadership transfer to {} refused: {}", groupId, nodeId, e.toString());
          }
        });
  }

  @Override
  public Membership membership() {
    return membership;
  }

  @Override
  public Map<Integer, Long> followerMatchIndexes() {
    return matchIndexes;
  }

  /**
   * Step 1 of a Ready: stages what must be durable; returns whether it needs a sync now. The store
   * makes the three parts durable together (the log store writes them as one RocksDB batch) and
   * fsyncs a term or vote change whatever its fsync policy. The three are staged as one call:
   * another loop's sync may write this group's open batch at any time, and must never write a
   * commit index ahead of the entries it covers (or over the entries they replace).
   */
  boolean stage(Ready ready) {
    HardState hs = ready.hardState();
    storage.stageReady(hs, ready.snapshot(), ready.entries());
    boolean voteChanged = false;
    if (hs != null) {
      // Term and vote must be durable before any message that depends on them. A change of the
      // commit index alone need not be: a replica that loses it learns it again from the leader,
      // so it rides on the next sync instead of costing the leader an fsync per commit.
      voteChanged = hs.term() != stagedTerm || hs.vote() != stagedVote;
      stagedTerm = hs.term();
      stagedVote = hs.vote();
    }
    return voteChanged || ready.snapshot() != null || !ready.entries().isEmpty();
  }

  /** Steps 4 and 5 of a Ready, after the sync and after its messages were handed to transport. */
  void complete(Ready ready) {
    markAppended(ready.entries());
    if (ready.snapshot() != null && ready.snapshot().index() > appliedIndex) {
      sm.restoreSnapshot(ready.snapshot());
      appliedIndex = ready.snapshot().index();
      failPendingUpTo(appliedIndex, "replaced by a snapshot");
    }
    for (Entry entry : ready.committedEntries()) {
      apply(entry);
    }
    for (ReadState read : ready.readStates()) {
      resolveRead(read);
    }
    completeReads();
    if (ready.softState() != null) {
      handleSoftState(ready.softState());
    }
    node.advance(ready);
  }

  /** Takes an application snapshot when the log has grown enough; returns whether it staged one. */
  boolean maybeCompact() {
    if (snapshotIntervalEntries <= 0
        || appliedIndex - storage.firstIndex() < snapshotIntervalEntries) {
      return false;
    }
    return tryCompact(appliedIndex);
  }

  @Override
  public void compact(long index) {
    loop.enqueue(
        () -> {
          try {
            if (node != null
                && quarantineCause == null
                && index >= storage.firstIndex()
                && index <= appliedIndex
                && tryCompact(index)) {
              loop.requestSync();
            }
          } catch (RuntimeException e) {
            loop.quarantine(this, e);
          }
        });
  }

  /**
   * Compacts to {@code index}; a refusal (e.g. a snapshot installed earlier in this iteration
   * already moved the log past it) skips this compaction only: retention asks again later.
   */
  private boolean tryCompact(long index) {
    try {
      node.compact(index, sm.takeSnapshot());
      return true;
    } catch (IllegalArgumentException | IllegalStateException e) {
      log.warn("group {}: compaction to {} skipped: {}", groupId, index, e.getMessage());
      return false;
    }
  }

  /** Stops this replica for good after {@code cause}; pending work fails with the reason. */
  void quarantine(Throwable cause) {
    quarantineCause = cause;
    failAll("replica quarantined: " + cause);
  }

  @Override
  public Optional<Throwable> quarantineCause() {
    return Optional.ofNullable(quarantineCause);
  }

  private void markAppended(List<Entry> entries) {
    for (Entry entry : entries) {
      Pending p = pending.get(entry.index());
      if (p == null) {
        continue;
      }
      if (p.term() == entry.term()) {
        p.proposal().appended().complete(null);
      } else {
        fail(entry.index(), "overwritten by an entry of term " + entry.term());
      }
    }
  }

  private void apply(Entry entry) {
    Checks.state(
        entry.index() == appliedIndex + 1,
        "group %s: applying index %s after %s",
        groupId,
        entry.index(),
        appliedIndex);
    sm.apply(entry);
    appliedIndex = entry.index();
    Pending p = pending.remove(entry.index());
    if (p == null) {
      return;
    }
    if (p.term() == entry.term()) {
      p.proposal().appended().complete(null);
      p.proposal().committed().complete(null);
      observer.committed(System.nanoTime() - p.proposedNanos());
    } else {
      failed(entry.index(), p, "entry at this index committed with term " + entry.term());
    }
  }

  private void resolveRead(ReadState read) {
    CompletableFuture<Long> future = readsAwaitingIndex.remove(read.requestId());
    if (future != null) {
      readsAwaitingApply.computeIfAbsent(read.index(), i -> new ArrayList<>()).add(future);
    }
  }

  private void completeReads() {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= appliedIndex) {
      long index = readsAwaitingApply.firstKey();
      readsAwaitingApply.pollFirstEntry().getValue().forEach(f -> f.complete(index));
    }
  }

  private void handleSoftState(SoftState state) {
    boolean wasLeader = observedRole == RaftRole.LEADER;
    observedRole = state.role();
    if (state.role() != RaftRole.LEADER) {
      failAll("leadership lost (now " + state.role() + ", leader " + state.leaderId() + ")");
    } else {
      failOlderTerms(state.term());
      if (!wasLeader) {
        observer.becameLeader(groupId);
      }
    }
    sm.onRoleChange(state);
  }

  private void failOlderTerms(long currentTerm) {
    Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Pending> e = it.next();
      if (e.getValue().term() != currentTerm) {
        it.remove();
        failed(e.getKey(), e.getValue(), "proposed in an earlier term");
      }
    }
  }

  private void failPendingUpTo(long index, String reason) {
    while (!pending.isEmpty() && pending.firstKey() <= index) {
      Map.Entry<Long, Pending> e = pending.pollFirstEntry();
      failed(e.getKey(), e.getValue(), reason);
    }
  }

  /** Fails every pending proposal and read; used on leadership loss and on stop. */
  void failAll(String reason) {
    while (!pending.isEmpty()) {
      Map.Entry<Long, Pending> e = pending.pollFirstEntry();
      failed(e.getKey(), e.getValue(), reason);
    }
    ProposalFailedException readFailure = new ProposalFailedException(groupId, 0, reason);
    readsAwaitingIndex.values().forEach(f -> f.completeExceptionally(readFailure));
    readsAwaitingIndex.clear();
    readsAwaitingApply.values().forEach(l -> l.forEach(f -> f.completeExceptionally(readFailure)));
    readsAwaitingApply.clear();
  }

  private void fail(long index, String reason) {
    Pending p = pending.remove(index);
    if (p != null) {
      failed(index, p, reason);
    }
  }

  private void failed(long index, Pending p, String reason) {
    ProposalFailedException e = new ProposalFailedException(groupId, index, reason);
    p.proposal().appended().completeExceptionally(e);
    p.proposal().committed().completeExceptionally(e);
  }

  /** Publishes the node's state to the volatile fields other threads read. */
  void publish() {
    leader = node.role() == RaftRole.LEADER;
    leaderId = node.leaderId();
    term = node.term();
    commitIndex = node.commitIndex();
    publishedApplied = appliedIndex;
    membership = node.membership();
    matchIndexes = leader ? Map.copyOf(node.matchIndexes()) : Map.of();
  }
}
