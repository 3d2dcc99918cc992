package io.keel.raft;

import io.keel.raft.Message.AppendRequest;
import io.keel.raft.Message.AppendResponse;
import io.keel.raft.Message.HeartbeatRequest;
import io.keel.raft.Message.HeartbeatResponse;
import io.keel.raft.Message.SnapshotChunk;
import io.keel.raft.Message.SnapshotResponse;
import io.keel.raft.Message.TimeoutNow;
import io.keel.raft.Message.VoteRequest;
import io.keel.raft.Message.VoteResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One member of one Raft group: a deterministic state machine with no threads, I/O or clock.
 *
 * <p>Inputs are {@link #tick()}, {@link #step(Message)}, {@link #propose(byte[])}, {@link
 * #proposeMembership}, {@link #transferLeadership}, {@link #readIndex} and {@link #compact}. The
 * output is a {@link Ready} that the caller executes in the order its Javadoc gives and then
 * confirms with {@link #advance(Ready)}. Single-threaded; not thread-safe.
 *
 * <p>On restart the application restores its state machine from {@link RaftStorage#snapshot()}; the
 * node then hands out every committed entry after the snapshot index again, once the leader's log
 * confirms it: the persisted commit index is only a hint, since a torn write can leave it durable
 * while the entries it covered are not.
 */
public final class RaftNode {
  private static final byte[] EMPTY = new byte[0];

  private final RaftConfig config;
  private final long groupId;
  private final int id;
  private final RaftStorage storage;
  private final RandomGenerator random;
  private final RaftLog log;
  private final MembershipLog memberships;
  private final SnapshotReceiver snapshotReceiver = new SnapshotReceiver();
  private EnumSet<RaftBug> bugs = EnumSet.noneOf(RaftBug.class);

  private RaftRole role = RaftRole.FOLLOWER;
  private long term;
  private int vote;
  private int leaderId;
  private int electionElapsed;
  private int heartbeatElapsed;
  private int randomizedElectionTicks;
  // Ticks since this node last heard from a leader of any term (or since it started, if it ever had
  // a term): a voter grants no vote while this is below electionTicks, which is what the leader
  // lease relies on. A term change alone does not reset it.
  private int leaderContactElapsed;
  // Ticks since this node started; the leader measures its lease and check-quorum in it.
  private long ticks;

  // Candidate state: votes received in the current (pre-)election.
  private final Map<Integer, Boolean> votes = new HashMap<>();

  // Leader state.
  private final Map<Integer, Progress> progress = new HashMap<>();
  private long termStartIndex;
  private int leadTransferee;
  private boolean replicationDirty;
  private final ReadIndexQueue reads = new ReadIndexQueue();
  private final HeartbeatRounds rounds = new HeartbeatRounds();
  // Set once this leader sent TimeoutNow in its term: the target's voters then ignore their
  // lease, so this leader's lease no longer protects reads.
  private boolean timeoutNowSent;
  // Entries this leader appended and has not committed: {index, appendedBytes after it}.
  private final ArrayDeque<long[]> uncommitted = new ArrayDeque<>();
  // Entry bytes appended and committed by this leader in its term; the difference is uncommitted.
  private long appendedBytes;
  private long committedBytes;

  // Output state.
  private List<Message> outbox = new ArrayList<>();
  private List<ReadState> readStates = new ArrayList<>();
  private HardState persistedHardState;
  private SoftState reportedSoftState;
  private Ready outstanding;

  public RaftNode(RaftConfig config, RaftStorage storage, RandomGenerator random) {
    Checks.arg(config != null, "config is null");
    Checks.arg(storage != null, "storage is null");
    Checks.arg(random != null, "random is null");
    this.config = config;
    this.groupId = config.groupId();
    this.id = config.nodeId();
    this.storage = storage;
    this.random = random;
    HardState hs = storage.hardState();
    this.log = new RaftLog(storage, config.entryCacheBytes());
    this.term = hs.term();
    this.vote = hs.vote();
    this.persistedHardState = hs;
    this.memberships = new MembershipLog(storage.snapshotMembership(), storage.firstIndex() - 1);
    loadMemberships();
    resetElectionTimer();
    // A restarted voter may have acknowledged a leader's heartbeat just before it stopped.
    this.leaderContactElapsed = hs.term() == 0 ? config.electionTicks() : 0;
    this.reportedSoftState = softState();
  }

  /**
   * Stages the initial configuration of a brand-new group as a snapshot at index 0, term 0. Every
   * initial member bootstraps the same way; the caller then syncs the store.
   */
  public static void bootstrap(RaftStorage storage, Membership initial) {
    Checks.arg(!initial.voters().isEmpty(), "bootstrap membership has no voters");
    Checks.arg(
        storage.lastIndex() == 0 && storage.hardState().equals(HardState.EMPTY),
        "bootstrap of a group that already has state (last index %s)",
        storage.lastIndex());
    storage.applySnapshot(new Snapshot(0, 0, initial, EMPTY));
  }

  private void loadMemberships() {
    long lo = storage.firstIndex();
    long hi = storage.lastIndex() + 1;
    while (lo < hi) {
      List<Entry> batch = storage.entries(lo, hi, config.maxAppendBytes());
      memberships.appended(onlyConfig(batch));
      lo += batch.size();
    }
  }

  private static List<Entry> onlyConfig(List<Entry> entries) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.type() == EntryType.CONFIG) {
        out.add(e);
      }
    }
    return out;
  }

  /** Test-only: switch on deliberate protocol bugs. */
  void injectBugs(Set<RaftBug> injected) {
    bugs = injected.isEmpty() ? EnumSet.noneOf(RaftBug.class) : EnumSet.copyOf(injected);
    if (bugs.contains(RaftBug.TRUST_PERSISTED_COMMIT)) {
      log.commitTo(Math.min(storage.hardState().commit(), log.lastIndex()));
    }
  }

  // ---------------------------------------------------------------- getters

  public RaftRole role() {
    return role;
  }

  public long term() {
    return term;
  }

  public int leaderId() {
    return leaderId;
  }

  public long commitIndex() {
    return log.committed();
  }

  public long appliedIndex() {
    return log.applied();
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public Membership membership() {
    return memberships.current();
  }

  public long groupId() {
    return groupId;
  }

  public int nodeId() {
    return id;
  }

  /** Leader only (empty otherwise): the match index of every other member. */
  public Map<Integer, Long> matchIndexes() {
    Map<Integer, Long> out = new HashMap<>();
    if (role == RaftRole.LEADER) {
      progress.forEach(
          (peer, pr) -> {
            if (peer != id) {
              out.put(peer, pr.match());
            }
          });
    }
    return out;
  }

  /** The term of the entry at {@code index}, or -1 if compacted or absent; for tests and tools. */
  public long termAt(long index) {
    return log.term(index);
  }

  // ---------------------------------------------------------------- inputs

  /** Advances logical time by one tick. Allocates nothing on an idle follower. */
  public void tick() {
    checkNoReadyOutstanding();
    ticks++;
    if (leaderContactElapsed < config.electionTicks()) {
      leaderContactElapsed++;
    }
    if (role == RaftRole.LEADER) {
      tickLeader();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    if (electionElapsed < Integer.MAX_VALUE) {
      electionElapsed++;
    }
    if (electionElapsed >= randomizedElectionTicks && isVoter()) {
      electionElapsed = 0;
      campaign(false);
    }
  }

  private void tickLeader() {
    heartbeatElapsed++;
    electionElapsed++;
    leaderContactElapsed = 0;
    boolean windowEnd = electionElapsed >= config.electionTicks();
    if (windowEnd) {
      electionElapsed = 0;
      leadTransferee = 0;
    }
    // The old lease bug also brings back the old check-quorum, evaluated once per window.
    boolean checkNow = windowEnd || !bugs.contains(RaftBug.LEASE_WITHOUT_QUORUM_ROUND);
    if (config.checkQuorum() && checkNow && !quorumHeardWithin(config.electionTicks())) {
      becomeFollower(term, 0);
      return;
    }
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      if (e.getKey() != id && e.getValue().snapshotStalled(config.electionTicks())) {
        sendSnapshotChunk(e.getKey(), e.getValue());
      }
    }
    if (heartbeatElapsed >= config.heartbeatTicks()) {
      heartbeatElapsed = 0;
      broadcastHeartbeat(reads.nextRound());
    }
  }

  /** Whether a quorum of voters sent this leader a message within the last {@code window} ticks. */
  private boolean quorumHeardWithin(int window) {
    long heard =
        Quorum.majorityValue(
            membership().voters(),
            peer -> {
              Progress pr = progress.get(peer);
              return peer == id ? ticks : pr == null ? Long.MIN_VALUE : pr.lastHeardTick;
            });
    return ticks - heard < window;
  }

  /** Feeds a message from another member of this group. */
  public void step(Message m) {
    checkNoReadyOutstanding();
    Checks.arg(m.groupId() == groupId, "message for group %s reached %s", m.groupId(), groupId);
    Checks.arg(m.to() == id, "message for node %s reached node %s", m.to(), id);
    if (!handleTerm(m)) {
      return;
    }
    switch (m) {
      case VoteRequest r -> handleVoteRequest(r);
      case VoteResponse r -> handleVoteResponse(r);
      case AppendRequest r -> handleAppendRequest(r);
      case AppendResponse r -> handleAppendResponse(r);
      case HeartbeatRequest r -> handleHeartbeatRequest(r);
      case HeartbeatResponse r -> handleHeartbeatResponse(r);
      case SnapshotChunk r -> handleSnapshotChunk(r);
      case SnapshotResponse r -> handleSnapshotResponse(r);
      case TimeoutNow r -> handleTimeoutNow(r);
    }
  }

  /**
   * Applies the term rules common to all messages. Returns whether the message should be handled
   * further.
   */
  private boolean handleTerm(Message m) {
    if (m.term() > term) {
      return handleHigherTerm(m);
    }
    if (m.term() < term) {
      handleLowerTerm(m);
      return false;
    }
    return true;
  }

  private boolean handleHigherTerm(Message m) {
    if (m instanceof VoteRequest r) {
      boolean inLease = config.checkQuorum() && leaderContactElapsed < config.electionTicks();
      if (inLease && !r.leadershipTransfer()) {
        return false;
      }
      if (r.preVote()) {
        return true;
      }
    }
    if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
      return true;
    }
    boolean fromLeader =
        m instanceof AppendRequest || m instanceof HeartbeatRequest || m instanceof SnapshotChunk;
    becomeFollower(m.term(), fromLeader ? m.from() : 0);
    return true;
  }

  private void handleLowerTerm(Message m) {
    boolean fromStaleLeader = m instanceof AppendRequest || m instanceof HeartbeatRequest;
    if (fromStaleLeader && (config.checkQuorum() || config.preVote())) {
      // Tell the stale leader about the newer term so it steps down.
      send(new HeartbeatResponse(groupId, id, m.from(), term, 0));
    } else if (m instanceof VoteRequest r && r.preVote()) {
      send(new VoteResponse(groupId, id, m.from(), term, true, false));
    }
  }

  /**
   * Proposes application data; returns the index it will have if committed.
   *
   * @throws NotLeaderException if this node is not the leader or is transferring leadership
   * @throws ProposalRejectedException if the uncommitted entries reached a configured limit
   */
  public long propose(byte[] data) {
    checkNoReadyOutstanding();
    Checks.arg(data != null, "proposal data is null");
    checkCanPropose();
    long index = log.lastIndex() + 1;
    Entry entry = new Entry(term, index, EntryType.NORMAL, data);
    checkUncommittedLimits(entry.sizeBytes());
    appendAsLeader(entry);
    return index;
  }

  private void checkUncommittedLimits(long sizeBytes) {
    long count = log.lastIndex() - log.committed();
    if (count >= config.maxUncommittedProposals()) {
      throw new ProposalRejectedException(
          groupId,
          ProposalRejectedException.Reason.UNCOMMITTED_COUNT,
          count,
          config.maxUncommittedProposals());
    }
    // One entry always fits when nothing is uncommitted, however large.
    long uncommittedBytes = appendedBytes - committedBytes;
    if (uncommittedBytes > 0
        && uncommittedBytes + sizeBytes > config.maxUncommittedProposalBytes()) {
      throw new ProposalRejectedException(
          groupId,
          ProposalRejectedException.Reason.UNCOMMITTED_BYTES,
          uncommittedBytes,
          config.maxUncommittedProposalBytes());
    }
  }

  private void checkCanPropose() {
    if (role != RaftRole.LEADER) {
      throw new NotLeaderException(groupId, id, leaderId, "not the leader");
    }
    if (leadTransferee != 0) {
      throw new NotLeaderException(
          groupId, id, leadTransferee, "leadership transfer to " + leadTransferee + " in progress");
    }
  }

  /**
   * Proposes one membership change; returns the index of its CONFIG entry. The change takes effect
   * as soon as the entry is in the log.
   *
   * @throws IllegalStateException if another change is not committed yet, the leader has not
   *     committed an entry of its term, a learner to promote is not caught up, or the leader would
   *     remove itself
   */
  public long proposeMembership(MembershipChange change) {
    checkNoReadyOutstanding();
    Checks.arg(change != null, "membership change is null");
    checkCanPropose();
    Checks.state(
        memberships.currentIndex() <= log.committed()
            || bugs.contains(RaftBug.MEMBERSHIP_CHANGES_OVERLAP),
        "membership change at index %s is not committed yet (commit %s)",
        memberships.currentIndex(),
        log.committed());
    Checks.state(
        log.committed() >= termStartIndex,
        "leader has not committed an entry of term %s yet",
        term);
    Membership next = changedMembership(membership(), change);
    long index = log.lastIndex() + 1;
    appendAsLeader(new Entry(term, index, EntryType.CONFIG, MembershipCodec.encode(next)));
    return index;
  }

  private Membership changedMembership(Membership current, MembershipChange change) {
    Set<Integer> voters = new HashSet<>(current.voters());
    Set<Integer> learners = new HashSet<>(current.learners());
    int node = change.nodeId();
    switch (change) {
      case MembershipChange.AddLearner a -> {
        Checks.arg(!current.contains(node), "node %s is already a member", node);
        learners.add(node);
      }
      case MembershipChange.PromoteLearner p -> {
        Checks.arg(learners.contains(node), "node %s is not a learner", node);
        long match = progress.get(node).match();
        Checks.state(
            match >= log.committed(),
            "learner %s is not caught up: match %s < commit %s",
            node,
            match,
            log.committed());
        learners.remove(node);
        voters.add(node);
      }
      case MembershipChange.RemoveNode r -> {
        Checks.arg(current.contains(node), "node %s is not a member", node);
        Checks.state(node != id, "leader %s cannot remove itself: transfer leadership first", id);
        learners.remove(node);
        voters.remove(node);
      }
    }
    return new Membership(voters, learners);
  }

  /**
   * Asks the leader to hand leadership to {@code target}. Proposals pause meanwhile.
   *
   * @return whether a transfer is now under way to {@code target}; false (and nothing changes) when
   *     the target is this leader or not a voter
   * @throws NotLeaderException if this node is not the leader
   */
  public boolean transferLeadership(int target) {
    checkNoReadyOutstanding();
    if (role != RaftRole.LEADER) {
      throw new NotLeaderException(groupId, id, leaderId, "not the leader");
    }
    if (target == id || !membership().voters().contains(target)) {
      return false;
    }
    if (target == leadTransferee) {
      return true;
    }
    leadTransferee = target;
    electionElapsed = 0;
    Progress pr = progress.get(target);
    if (pr.match() == log.lastIndex()) {
      sendTimeoutNow(target);
    } else {
      replicationDirty = true;
    }
    return true;
  }

  private void sendTimeoutNow(int target) {
    timeoutNowSent = true;
    send(new TimeoutNow(groupId, id, target, term));
  }

  /**
   * Requests a linearizable read; a {@link ReadState} with this id appears in a later Ready once a
   * quorum confirmed this node is still the leader, or at once while the leader lease holds (see
   * {@link RaftConfig#leaseReads()}). Dropped if leadership is lost meanwhile.
   *
   * @throws NotLeaderException if this node is not the leader
   * @throws ProposalRejectedException if {@link RaftConfig#maxPendingReads()} reads are pending
   */
  public void readIndex(long requestId) {
    checkNoReadyOutstanding();
    if (role != RaftRole.LEADER) {
      throw new NotLeaderException(groupId, id, leaderId, "not the leader");
    }
    if (reads.size() >= config.maxPendingReads()) {
      throw new ProposalRejectedException(
          groupId,
          ProposalRejectedException.Reason.PENDING_READS,
          reads.size(),
          config.maxPendingReads());
    }
    if (log.committed() < termStartIndex) {
      reads.awaitTermCommit(requestId);
    } else {
      startRead(requestId);
    }
  }

  private void startRead(long requestId) {
    Set<Integer> voters = membership().voters();
    if ((voters.size() == 1 && voters.contains(id)) || leaseHolds()) {
      readStates.add(new ReadState(requestId, log.committed()));
      return;
    }
    broadcastHeartbeat(reads.add(requestId, log.committed()));
  }

  /**
   * Whether no other leader can have been elected yet: a quorum acknowledged a heartbeat round sent
   * less than {@link RaftConfig#leaseTicks()} ago, and each of those voters refuses votes for
   * electionTicks of its own clock after receiving it.
   */
  private boolean leaseHolds() {
    if (!config.leaseReads()) {
      return false;
    }
    if (bugs.contains(RaftBug.LEASE_WITHOUT_QUORUM_ROUND)) {
      return true;
    }
    if (leadTransferee != 0 || timeoutNowSent) {
      return false;
    }
    long start =
        Quorum.majorityValue(
            membership().voters(),
            peer -> {
              Progress pr = progress.get(peer);
              return peer == id ? ticks : pr == null ? HeartbeatRounds.UNKNOWN : pr.ackedRoundTick;
            });
    return start != HeartbeatRounds.UNKNOWN && ticks - start < config.leaseTicks();
  }

  /**
   * Compacts the log up to {@code index}, which the application has applied and captured in {@code
   * snapshotData}.
   *
   * @return false, changing nothing, when the log is already compacted at or beyond {@code index}
   *     (for example, a snapshot from the leader was installed or is about to be)
   * @throws IllegalArgumentException if {@code index} is beyond the applied index
   */
  public boolean compact(long index, byte[] snapshotData) {
    checkNoReadyOutstanding();
    Checks.arg(snapshotData != null, "snapshot data is null");
    Checks.arg(
        index <= log.applied(), "compact at %s beyond applied index %s", index, log.applied());
    if (index < log.firstIndex() || log.unstableSnapshot() != null) {
      return false;
    }
    Snapshot snapshot = new Snapshot(index, log.term(index), memberships.at(index), snapshotData);
    storage.compact(snapshot);
    memberships.compactTo(index);
    return true;
  }

  // ---------------------------------------------------------------- elections

  private boolean isVoter() {
    return membership().voters().contains(id);
  }

  private void campaign(boolean transfer) {
    if (config.preVote() && !transfer) {
      becomeRole(RaftRole.PRE_CANDIDATE);
      leaderId = 0;
      requestVotes(term + 1, true, false);
    } else {
      becomeRole(RaftRole.CANDIDATE);
      term++;
      vote = id;
      leaderId = 0;
      requestVotes(term, false, transfer);
    }
  }

  private void requestVotes(long electionTerm, boolean preVote, boolean transfer) {
    votes.clear();
    resetElectionTimer();
    votes.put(id, true);
    if (tallyVotes()) {
      return;
    }
    for (int peer : membership().voters()) {
      if (peer != id) {
        send(
            new VoteRequest(
                groupId,
                id,
                peer,
                electionTerm,
                preVote,
                log.lastIndex(),
                log.lastTerm(),
                transfer));
      }
    }
  }

  /** Acts on the election outcome so far; returns whether it is decided. */
  private boolean tallyVotes() {
    Quorum.VoteResult result = Quorum.tally(membership().voters(), votes);
    switch (result) {
      case WON -> {
        if (role == RaftRole.PRE_CANDIDATE) {
          campaign(true);
        } else {
          becomeLeader();
        }
      }
      case LOST -> becomeFollower(term, 0);
      case PENDING -> {}
    }
    return result != Quorum.VoteResult.PENDING;
  }

  private void handleVoteRequest(VoteRequest r) {
    boolean canVote =
        vote == r.from()
            || (vote == HardState.NO_VOTE && leaderId == 0)
            || (r.preVote() && r.term() > term);
    boolean upToDate =
        bugs.contains(RaftBug.VOTE_FOR_STALE_LOG)
            || log.isUpToDate(r.lastLogIndex(), r.lastLogTerm());
    if (canVote && upToDate) {
      send(new VoteResponse(groupId, id, r.from(), r.term(), r.preVote(), true));
      if (!r.preVote()) {
        vote = r.from();
        electionElapsed = 0;
      }
    } else {
      send(new VoteResponse(groupId, id, r.from(), term, r.preVote(), false));
    }
  }

  private void handleVoteResponse(VoteResponse r) {
    boolean expected = r.preVote() ? role == RaftRole.PRE_CANDIDATE : role == RaftRole.CANDIDATE;
    if (!expected) {
      return;
    }
    votes.put(r.from(), r.granted());
    tallyVotes();
  }

  private void handleTimeoutNow(TimeoutNow r) {
    if (role != RaftRole.LEADER && isVoter()) {
      campaign(true);
    }
  }

  // ---------------------------------------------------------------- roles

  private void becomeRole(RaftRole next) {
    RoleTransitions.check(role, next);
    role = next;
  }

  private void becomeFollower(long newTerm, int newLeader) {
    if (role == RaftRole.LEADER && bugs.contains(RaftBug.DEPOSED_LEADER_ACKNOWLEDGES)) {
      log.commitTo(log.lastIndex());
    }
    becomeRole(RaftRole.FOLLOWER);
    if (newTerm > term) {
      term = newTerm;
      vote = HardState.NO_VOTE;
    }
    leaderId = newLeader;
    resetElectionTimer();
    clearLeaderState();
  }

  private void becomeLeader() {
    becomeRole(RaftRole.LEADER);
    leaderId = id;
    clearLeaderState();
    heartbeatElapsed = 0;
    electionElapsed = 0;
    for (int peer : allMembers()) {
      addProgress(peer);
    }
    progress.get(id).selfPersisted(log.lastIndex());
    termStartIndex = log.lastIndex() + 1;
    appendAsLeader(new Entry(term, termStartIndex, EntryType.NOOP, EMPTY));
  }

  private Set<Integer> allMembers() {
    Set<Integer> all = new HashSet<>(membership().voters());
    all.addAll(membership().learners());
    all.add(id);
    return all;
  }

  private void addProgress(int peer) {
    Progress pr =
        new Progress(log.lastIndex() + 1, config.maxInflightAppends(), config.maxInflightBytes());
    pr.lastHeardTick = ticks;
    progress.put(peer, pr);
  }

  private void clearLeaderState() {
    progress.clear();
    votes.clear();
    leadTransferee = 0;
    timeoutNowSent = false;
    replicationDirty = false;
    reads.clear();
    uncommitted.clear();
    appendedBytes = 0;
    committedBytes = 0;
  }

  private void resetElectionTimer() {
    electionElapsed = 0;
    randomizedElectionTicks = config.electionTicks() + random.nextInt(config.electionTicks());
  }

  // ---------------------------------------------------------------- replication (leader)

  private void appendAsLeader(Entry entry) {
    log.append(entry);
    appendedBytes += entry.sizeBytes();
    uncommitted.add(new long[] {entry.index(), appendedBytes});
    if (entry.type() == EntryType.CONFIG) {
      memberships.appended(List.of(entry));
      syncProgressWithMembership();
    }
    replicationDirty = true;
  }

  private void syncProgressWithMembership() {
    if (role != RaftRole.LEADER) {
      return;
    }
    Set<Integer> members = allMembers();
    progress.keySet().removeIf(peer -> !members.contains(peer));
    for (int peer : members) {
      if (!progress.containsKey(peer)) {
        addProgress(peer);
      }
    }
    maybeCommit();
  }

  private void handleAppendResponse(AppendResponse r) {
    if (role != RaftRole.LEADER) {
      return;
    }
    Progress pr = progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.lastHeardTick = ticks;
    if (r.success()) {
      if (pr.onAppendAccepted(r.matchIndex())) {
        maybeCommit();
      }
      if (r.from() == leadTransferee && pr.match() == log.lastIndex()) {
        sendTimeoutNow(r.from());
      }
    } else {
      long nextProbe =
          Math.min(log.findConflictByTerm(r.conflictIndex(), r.conflictTerm()), r.lastLogIndex());
      if (!pr.onAppendRejected(r.rejectedIndex(), nextProbe, r.lastLogIndex())) {
        return;
      }
      if (pr.match() == 0) {
        pr.sentCommit = 0;
      }
    }
    replicationDirty = true;
  }

  /** Advances the commit index to what a majority stores, if that entry is of this term. */
  private void maybeCommit() {
    if (role != RaftRole.LEADER) {
      return;
    }
    long index =
        Quorum.majorityValue(
            membership().voters(),
            peer -> {
              Progress pr = progress.get(peer);
              return pr == null ? 0 : pr.match();
            });
    if (index <= log.committed()) {
      return;
    }
    boolean currentTerm = log.term(index) == term;
    if (currentTerm || bugs.contains(RaftBug.COMMIT_OLD_TERM_BY_COUNTING)) {
      log.commitTo(index);
      releaseUncommitted(index);
      replicationDirty = true;
      if (log.committed() >= termStartIndex) {
        for (Long waiting = reads.pollAwaiting(); waiting != null; waiting = reads.pollAwaiting()) {
          startRead(waiting);
        }
      }
    }
  }

  private void releaseUncommitted(long committedIndex) {
    while (!uncommitted.isEmpty() && uncommitted.peek()[0] <= committedIndex) {
      committedBytes = uncommitted.poll()[1];
    }
  }

  /** Sends what each member is ready to receive: entries, or a commit-index update. */
  private void flushReplication() {
    if (!replicationDirty || role != RaftRole.LEADER) {
      return;
    }
    replicationDirty = false;
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      if (e.getKey() != id) {
        replicateTo(e.getKey(), e.getValue());
      }
    }
  }

  private void replicateTo(int peer, Progress pr) {
    while (!pr.isPaused() && pr.next() <= log.lastIndex()) {
      if (!sendAppend(peer, pr, false)) {
        return;
      }
    }
    if (!pr.isPaused() && pr.sentCommit < log.committed()) {
      sendAppend(peer, pr, true);
    }
  }

  /** Sends one append (or starts a snapshot if the entries are compacted); returns if appended. */
  private boolean sendAppend(int peer, Progress pr, boolean allowEmpty) {
    long prevIndex = pr.next() - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm == RaftLog.UNAVAILABLE || pr.next() < log.firstIndex()) {
      pr.becomeSnapshot(log.snapshot());
      sendSnapshotChunk(peer, pr);
      return false;
    }
    List<Entry> entries =
        pr.next() <= log.lastIndex()
            ? log.entries(pr.next(), log.lastIndex() + 1, config.maxAppendBytes())
            : List.of();
    if (entries.isEmpty() && !allowEmpty) {
      return false;
    }
    long bytes = 0;
    for (Entry e : entries) {
      bytes += e.sizeBytes();
    }
    long commit = log.committed();
    send(new AppendRequest(groupId, id, peer, term, prevIndex, prevTerm, entries, commit));
    pr.sentCommit = commit;
    pr.sentAppend(prevIndex + entries.size(), bytes, !entries.isEmpty());
    return true;
  }

  private void sendSnapshotChunk(int peer, Progress pr) {
    Snapshot s = pr.pendingSnapshot();
    int offset = (int) pr.snapshotOffset();
    int length = Math.min(config.snapshotChunkBytes(), s.data().length - offset);
    byte[] chunk = Arrays.copyOfRange(s.data(), offset, offset + length);
    boolean last = offset + length == s.data().length;
    send(
        new SnapshotChunk(
            groupId, id, peer, term, s.index(), s.term(), s.membership(), offset, chunk, last));
  }

  private void handleSnapshotResponse(SnapshotResponse r) {
    if (role != RaftRole.LEADER) {
      return;
    }
    Progress pr = progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.lastHeardTick = ticks;
    boolean current =
        pr.state() == Progress.State.SNAPSHOT && pr.pendingSnapshot().index() == r.snapshotIndex();
    if (!current) {
      return;
    }
    if (r.done()) {
      pr.becomeProbe();
      maybeCommit();
      replicationDirty = true;
    } else if (r.rejected()) {
      pr.becomeProbe();
      replicationDirty = true;
    } else {
      pr.onSnapshotProgress(r.nextOffset());
      sendSnapshotChunk(r.from(), pr);
    }
  }

  private void broadcastHeartbeat(long context) {
    rounds.record(context, ticks);
    progress.get(id).readAck = context;
    for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
      int peer = e.getKey();
      if (peer != id) {
        long commit =
            bugs.contains(RaftBug.HEARTBEAT_TRUSTS_COMMIT)
                ? log.committed()
                : Math.min(e.getValue().match(), log.committed());
        long commitTerm = Math.max(log.term(commit), 0);
        send(new HeartbeatRequest(groupId, id, peer, term, commit, commitTerm, context));
      }
    }
  }

  private void handleHeartbeatResponse(HeartbeatResponse r) {
    if (role != RaftRole.LEADER) {
      return;
    }
    Progress pr = progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.lastHeardTick = ticks;
    pr.ackedRoundTick = Math.max(pr.ackedRoundTick, rounds.sendTick(r.readContext()));
    pr.onHeartbeatResponse();
    if (pr.match() < log.lastIndex() && !pr.isPaused()) {
      // Entries may have been lost in flight: an (empty) append exposes any gap.
      sendAppend(r.from(), pr, true);
    } else if (pr.sentCommit < log.committed()) {
      replicationDirty = true;
    }
    if (r.readContext() > pr.readAck) {
      pr.readAck = r.readContext();
      releaseReads();
    }
  }

  private void releaseReads() {
    long confirmed =
        Quorum.majorityValue(
            membership().voters(),
            peer -> {
              Progress pr = progress.get(peer);
              return pr == null ? 0 : pr.readAck;
            });
    reads.release(confirmed, readStates);
  }

  // ---------------------------------------------------------------- replication (follower)

  private void followLeader(int leader) {
    if (role != RaftRole.FOLLOWER) {
      becomeFollower(term, leader);
    }
    leaderId = leader;
    electionElapsed = 0;
    leaderContactElapsed = 0;
  }

  private void handleAppendRequest(AppendRequest r) {
    Checks.state(
        role != RaftRole.LEADER, "node %s: two leaders in term %s (%s)", id, term, r.from());
    followLeader(r.from());
    long prevIndex = r.prevLogIndex();
    long prevTerm = r.prevLogTerm();
    List<Entry> entries = r.entries();
    long committed = log.committed();
    if (prevIndex + entries.size() <= committed) {
      // Everything sent is already committed here, so it matches the leader's log.
      checkCommittedMatches(prevIndex, prevTerm, entries);
      send(
          new AppendResponse(
              groupId, id, r.from(), term, true, committed, 0, 0, log.lastIndex(), 0));
      return;
    }
    if (prevIndex < committed) {
      // The committed prefix matches the leader's log: skip to its end.
      entries = entries.subList((int) (committed - prevIndex), entries.size());
      prevIndex = committed;
      prevTerm = log.term(committed);
    }
    List<Entry> appended = log.maybeAppend(prevIndex, prevTerm, entries);
    if (appended == null) {
      rejectAppend(r);
      return;
    }
    if (bugs.contains(RaftBug.STALE_APPEND_TRUNCATES)
        && appended.isEmpty()
        && !entries.isEmpty()
        && prevIndex + entries.size() < log.lastIndex()) {
      log.append(entries);
      appended = entries;
    }
    memberships.appended(appended);
    long lastNew = prevIndex + entries.size();
    log.commitTo(Math.min(r.leaderCommit(), lastNew));
    send(new AppendResponse(groupId, id, r.from(), term, true, lastNew, 0, 0, log.lastIndex(), 0));
  }

  /** Committed entries are in every later leader's log: a mismatch means the log is damaged. */
  private void checkCommittedMatches(long prevIndex, long prevTerm, List<Entry> entries) {
    long index = entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).index();
    long leaderTerm = entries.isEmpty() ? prevTerm : entries.get(entries.size() - 1).term();
    long mine = log.term(index);
    Checks.state(
        mine == RaftLog.UNAVAILABLE || mine == leaderTerm,
        "node %s: committed entry %s has term %s but leader %s has term %s",
        id,
        index,
        mine,
        leaderId,
        leaderTerm);
  }

  private void rejectAppend(AppendRequest r) {
    long hintIndex =
        log.findConflictByTerm(Math.min(r.prevLogIndex(), log.lastIndex()), r.prevLogTerm());
    long hintTerm = log.term(hintIndex);
    send(
        new AppendResponse(
            groupId,
            id,
            r.from(),
            term,
            false,
            0,
            hintIndex,
            Math.max(hintTerm, 0),
            log.lastIndex(),
            r.prevLogIndex()));
  }

  private void handleHeartbeatRequest(HeartbeatRequest r) {
    Checks.state(
        role != RaftRole.LEADER, "node %s: two leaders in term %s (%s)", id, term, r.from());
    followLeader(r.from());
    if (bugs.contains(RaftBug.HEARTBEAT_TRUSTS_COMMIT)) {
      log.commitTo(Math.min(r.leaderCommit(), log.lastIndex()));
    } else if (log.matchTerm(r.leaderCommit(), r.commitTerm())) {
      // Holding the leader's entry at its commit index means holding its whole prefix (Log
      // Matching); the leader's view of this member's match alone may be stale.
      log.commitTo(r.leaderCommit());
    }
    send(new HeartbeatResponse(groupId, id, r.from(), term, r.readContext()));
  }

  private void handleSnapshotChunk(SnapshotChunk c) {
    Checks.state(
        role != RaftRole.LEADER, "node %s: two leaders in term %s (%s)", id, term, c.from());
    followLeader(c.from());
    if (!snapshotReceiver.accept(c)) {
      long expected = snapshotReceiver.nextOffset(c.snapshotIndex(), c.snapshotTerm());
      send(snapshotResponse(c, expected, false));
      return;
    }
    if (!c.last()) {
      send(snapshotResponse(c, c.offset() + c.data().length, false));
      return;
    }
    installSnapshot(snapshotReceiver.finish());
    send(snapshotResponse(c, c.offset() + c.data().length, true));
  }

  private SnapshotResponse snapshotResponse(SnapshotChunk c, long nextOffset, boolean done) {
    return new SnapshotResponse(
        groupId, id, c.from(), term, c.snapshotIndex(), nextOffset, done, false);
  }

  private void installSnapshot(Snapshot s) {
    if (s.index() <= log.committed()) {
      return;
    }
    if (log.matchTerm(s.index(), s.term())) {
      log.commitTo(s.index());
      return;
    }
    log.restore(s);
    memberships.restore(s);
  }

  // ---------------------------------------------------------------- output

  private void send(Message m) {
    outbox.add(m);
  }

  private SoftState softState() {
    return new SoftState(role, leaderId, term);
  }

  private boolean softStateChanged() {
    return reportedSoftState.role() != role
        || reportedSoftState.leaderId() != leaderId
        || reportedSoftState.term() != term;
  }

  private int voteToPersist() {
    return bugs.contains(RaftBug.VOTE_NOT_PERSISTED) ? HardState.NO_VOTE : vote;
  }

  private boolean hardStateChanged() {
    return persistedHardState.term() != term
        || persistedHardState.vote() != voteToPersist()
        || persistedHardState.commit() < log.committed();
  }

  /** Whether {@link #ready()} has anything to hand out. */
  public boolean hasReady() {
    checkNoReadyOutstanding();
    flushReplication();
    return !outbox.isEmpty()
        || log.hasUnstable()
        || log.hasNextCommitted()
        || !readStates.isEmpty()
        || hardStateChanged()
        || softStateChanged();
  }

  /** The next batch of work; see {@link Ready} for the order in which to carry it out. */
  public Ready ready() {
    checkNoReadyOutstanding();
    flushReplication();
    HardState hs =
        hardStateChanged() ? new HardState(term, voteToPersist(), log.committed()) : null;
    Snapshot snapshot = log.unstableSnapshot();
    List<Entry> committed = log.nextCommitted(config.maxAppendBytes());
    boolean mustSync =
        hs != null
            && (hs.term() != persistedHardState.term() || hs.vote() != persistedHardState.vote());
    List<Message> beforeSync = new ArrayList<>();
    List<Message> afterSync = new ArrayList<>();
    for (Message m : outbox) {
      (!mustSync && promisesNothingStaged(m) ? beforeSync : afterSync).add(m);
    }
    Ready ready =
        new Ready(
            hs,
            log.unstableEntries(),
            snapshot,
            beforeSync,
            afterSync,
            committed,
            readStates,
            softStateChanged() ? softState() : null,
            mustSync);
    outbox = new ArrayList<>();
    readStates = new ArrayList<>();
    outstanding = ready;
    return ready;
  }

  /**
   * Whether {@code m} may leave before this Ready's writes are durable (Raft thesis, section
   * 10.2.1): a leader's replication traffic says nothing about its own log, and the leader counts
   * its own entries towards the commit only in {@link #advance}, after their sync. Votes and
   * acknowledgements promise what is staged and wait for the sync.
   */
  private boolean promisesNothingStaged(Message m) {
    return switch (m) {
      case AppendRequest a -> true;
      case HeartbeatRequest h -> true;
      case SnapshotChunk c -> true;
      case TimeoutNow t -> true;
      case AppendResponse a -> bugs.contains(RaftBug.APPEND_ACK_BEFORE_SYNC);
      case VoteRequest v -> false;
      case VoteResponse v -> false;
      case HeartbeatResponse h -> false;
      case SnapshotResponse r -> false;
    };
  }

  /** Confirms that {@code ready} was carried out in full, its sync included. */
  public void advance(Ready ready) {
    Checks.state(outstanding == ready, "advance with a Ready that is not the outstanding one");
    outstanding = null;
    if (ready.hardState() != null) {
      persistedHardState = ready.hardState();
    }
    if (ready.softState() != null) {
      reportedSoftState = ready.softState();
    }
    long keptAfter = log.stableAll();
    if (keptAfter >= 0) {
      List<Entry> kept = storage.entries(keptAfter + 1, storage.lastIndex() + 1, Long.MAX_VALUE);
      memberships.appended(onlyConfig(kept));
    }
    if (ready.snapshot() != null) {
      log.appliedTo(ready.snapshot().index());
    }
    if (!ready.committedEntries().isEmpty()) {
      log.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
    }
    if (role == RaftRole.LEADER) {
      progress.get(id).selfPersisted(log.lastIndex());
      maybeCommit();
    }
    log.releaseCachedThrough(role == RaftRole.LEADER ? lowestMatch() : Long.MAX_VALUE);
  }

  /** The highest index every replica the leader tracks holds: replication never asks below it. */
  private long lowestMatch() {
    long lowest = Long.MAX_VALUE;
    for (Progress pr : progress.values()) {
      lowest = Math.min(lowest, pr.match());
    }
    return lowest;
  }

  private void checkNoReadyOutstanding() {
    // Not Checks.state: its varargs would allocate on every idle tick.
    if (outstanding != null) {
      throw new IllegalStateException(
          "group " + groupId + " node " + id + ": call made between ready() and advance()");
    }
  }

  /** Leader's per-member replication state, for diagnostics. */
  String progressSummary() {
    return progress.toString();
  }

  @Override
  public String toString() {
    return "RaftNode{group="
        + groupId
        + " id="
        + id
        + " "
        + role
        + " term="
        + term
        + " vote="
        + vote
        + " leader="
        + leaderId
        + " last="
        + log.lastIndex()
        + " commit="
        + log.committed()
        + " applied="
        + log.applied()
        + "}";
  }
}
