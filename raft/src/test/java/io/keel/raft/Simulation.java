package io.keel.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of one Raft group: one seed drives the network, the disks, the clocks
 * and the workload. Safety invariants are checked after every event; after the faults heal, the
 * group must elect a leader and decide every proposal within a bounded number of steps.
 */
final class Simulation {
  static final long GROUP = 42;
  private static final int CHAOS_STEPS = 3000;
  private static final int LIVENESS_STEPS = 3000;
  private static final int CATCH_UP_STEPS = 30000;
  // Replicating a backlog one entry per round trip (the smallest swarm limits) takes this long.
  private static final int STEPS_PER_BACKLOG_ENTRY = 25;

  /** Where a crash strikes relative to the execution of a Ready. */
  private enum CrashPoint {
    BEFORE_SYNC,
    // The leader-style messages that may precede the sync are out; nothing is durable yet.
    SENT_BEFORE_SYNC,
    // Some parts of the Ready (hard state, snapshot, a prefix of the entries) reached the disk.
    TORN,
    BEFORE_SEND,
    BEFORE_ADVANCE
  }

  private final class SimNode {
    final int id;
    MemoryDurableStore store = new MemoryDurableStore();
    final SplittableRandom random;
    final int tickPeriod;
    SimStateMachine sm = new SimStateMachine();
    // A paused process: it neither ticks nor receives until pausedUntil; then it is handed the
    // ticks it missed (the executor counts ticks from a monotonic clock) and the held messages.
    long pausedUntil = -1;
    int missedTicks;
    final List<Message> held = new ArrayList<>();
    RaftNode raft;
    long restartAt = -1;
    CrashPoint crashPoint;
    long crashAtStep = -1;
    long isolateAtStep = -1;

    SimNode(int id, SplittableRandom random, int tickPeriod) {
      this.id = id;
      this.random = random;
      this.tickPeriod = tickPeriod;
    }

    boolean up() {
      return raft != null;
    }

    boolean paused() {
      return pausedUntil >= 0;
    }

    /** Up and not paused: can serve requests. */
    boolean active() {
      return up() && !paused();
    }

    RaftStorage storage() {
      return store.group(GROUP);
    }

    void start() {
      raft = new RaftNode(options.raftConfig(GROUP, id), storage(), random);
      raft.injectBugs(bugs);
      sm.restore(storage().snapshot());
      invariants.onSnapshotRestored(id, sm.index(), sm.hash());
      invariants.onRestart(id, raft);
    }
  }

  private record Proposal(long index, long term, long dataHash) {}

  private final long seed;
  private final SplittableRandom random;
  private final SimOptions options;
  private final Set<RaftBug> bugs;
  private final SimNode[] nodes;
  private final SimNetwork network;
  private final SimInvariants invariants;
  private final SimTrace trace = new SimTrace(Integer.getInteger("keel.sim.trace", 80));
  private final List<Proposal> proposals = new ArrayList<>();
  private final Map<Long, Long> readRequired = new HashMap<>();
  private long step;
  private long nextPayload;
  private long nextReadId;
  private long lastLeaderTerm;
  private long healAtStep = -1;

  Simulation(long seed, Set<RaftBug> bugs) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.options = SimOptions.random(random);
    this.bugs = bugs.isEmpty() ? EnumSet.noneOf(RaftBug.class) : EnumSet.copyOf(bugs);
    int count = options.initialVoters() + options.spareNodes();
    this.nodes = new SimNode[count + 1];
    this.network = new SimNetwork(random.split(), count, options);
    this.invariants = new SimInvariants(count);
    Set<Integer> voters = new HashSet<>();
    for (int i = 1; i <= options.initialVoters(); i++) {
      voters.add(i);
    }
    for (int i = 1; i <= count; i++) {
      int period = options.baseTickPeriod() + random.nextInt(options.tickSkew() + 1);
      nodes[i] = new SimNode(i, random.split(), period);
      if (voters.contains(i)) {
        RaftNode.bootstrap(nodes[i].storage(), Membership.ofVoters(voters));
        nodes[i].store.sync();
      }
      nodes[i].start();
    }
  }

  SimOptions options() {
    return options;
  }

  java.util.Map<String, Long> eventCounts() {
    return trace.counts();
  }

  String trace() {
    return trace.render();
  }

  String state() {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < nodes.length; i++) {
      out.append("  n").append(i).append(": ");
      out.append(nodes[i].up() ? nodes[i].raft + " " + nodes[i].raft.membership() : "down");
      if (nodes[i].up() && nodes[i].raft.role() == RaftRole.LEADER) {
        out.append(" progress ").append(nodes[i].raft.progressSummary());
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** Runs the chaos phase and then the liveness phase; throws on any violation. */
  void run() {
    for (int i = 0; i < CHAOS_STEPS; i++) {
      step();
      injectFaults();
      drive();
    }
    heal();
    runLiveness();
  }

  private void step() {
    step++;
    for (Message m : network.due(step)) {
      SimNode n = nodes[m.to()];
      if (n.paused()) {
        n.held.add(m);
      } else if (n.up()) {
        deliver(n, m);
      }
    }
    for (int i = 1; i < nodes.length; i++) {
      if (nodes[i].paused() && step >= nodes[i].pausedUntil) {
        resume(nodes[i]);
      }
    }
    for (int i = 1; i < nodes.length; i++) {
      SimNode n = nodes[i];
      if (n.up() && n.isolateAtStep == step) {
        n.isolateAtStep = -1;
        trace.add(step, i, "isolate", "");
        network.isolate(i);
        healAtStep = step + 20 + random.nextInt(150);
      }
      if (step == healAtStep) {
        trace.add(step, 0, "heal", "");
        network.heal();
      }
      if (n.up() && n.crashAtStep == step) {
        n.crashAtStep = -1;
        crash(n);
      } else if (n.up() && step % n.tickPeriod == 0) {
        if (n.paused()) {
          n.missedTicks++;
        } else {
          n.raft.tick();
        }
      } else if (!n.up() && n.restartAt >= 0 && step >= n.restartAt) {
        trace.add(step, i, "restart", "");
        n.restartAt = -1;
        n.start();
      }
    }
  }

  private void deliver(SimNode n, Message m) {
    trace.add(step, n.id, "recv", m);
    n.raft.step(m);
    if (!options.batchReadies()) {
      driveNode(n);
    }
  }

  private void resume(SimNode n) {
    trace.add(step, n.id, "resume", n.missedTicks + " missed ticks, " + n.held.size() + " held");
    n.pausedUntil = -1;
    for (; n.missedTicks > 0; n.missedTicks--) {
      n.raft.tick();
    }
    List<Message> held = new ArrayList<>(n.held);
    n.held.clear();
    for (Message m : held) {
      if (n.up()) {
        deliver(n, m);
      }
    }
    driveNode(n);
  }

  private void drive() {
    for (int i = 1; i < nodes.length; i++) {
      driveNode(nodes[i]);
    }
  }

  private void driveNode(SimNode n) {
    while (n.active() && n.raft.hasReady()) {
      executeReady(n, n.raft.ready());
    }
    if (n.up()) {
      invariants.checkNode(n.id, n.raft);
    }
  }

  private void executeReady(SimNode n, Ready r) {
    RaftStorage storage = n.storage();
    if (n.crashPoint == CrashPoint.TORN) {
      tornCrash(n, r, false);
      return;
    }
    if (overwritesCommitted(storage, r) && chance(options.tornOverwriteRate())) {
      // Nemesis: the most fragile Ready, one that commits entries overwriting older ones.
      tornCrash(n, r, true);
      return;
    }
    if (bugs.contains(RaftBug.ACK_BEFORE_PERSISTING)) {
      send(n, r.messagesBeforeSync());
      send(n, r.messages());
    }
    if (r.hardState() != null) {
      storage.setHardState(r.hardState());
    }
    if (r.snapshot() != null) {
      storage.applySnapshot(r.snapshot());
    }
    storage.append(r.entries());
    invariants.onStaged(n.id, n.raft.term(), storage, r.entries());
    if (maybeCrashAt(n, CrashPoint.BEFORE_SYNC)) {
      return;
    }
    if (!bugs.contains(RaftBug.ACK_BEFORE_PERSISTING)) {
      send(n, r.messagesBeforeSync());
    }
    if (maybeCrashAt(n, CrashPoint.SENT_BEFORE_SYNC)) {
      return;
    }
    n.store.sync();
    if (maybeCrashAt(n, CrashPoint.BEFORE_SEND)) {
      return;
    }
    if (!bugs.contains(RaftBug.ACK_BEFORE_PERSISTING)) {
      send(n, r.messages());
    }
    applyReady(n, r);
    if (maybeCrashAt(n, CrashPoint.BEFORE_ADVANCE)) {
      return;
    }
    if (r.softState() != null) {
      trace.add(step, n.id, "soft", r.softState());
    }
    n.raft.advance(r);
  }

  private void send(SimNode n, List<Message> messages) {
    for (Message m : messages) {
      invariants.onSend(n.id, n.raft.term(), m);
      network.send(step, m);
    }
  }

  /**
   * Power fails while the Ready is written: some of its parts reach the disk, in the contract's
   * order (hard state, snapshot, entries) or with the hard state last, the entries possibly only as
   * a prefix; the rest is lost with everything else unsynced.
   */
  private static boolean overwritesCommitted(RaftStorage storage, Ready r) {
    return r.hardState() != null
        && !r.entries().isEmpty()
        && r.entries().get(0).index() <= storage.lastIndex()
        && r.hardState().commit() >= r.entries().get(0).index();
  }

  private void tornCrash(SimNode n, Ready r, boolean hardStateOnly) {
    RaftStorage storage = n.storage();
    if (random.nextBoolean()) {
      send(n, r.messagesBeforeSync()); // the power fails while the sync runs
    }
    if (hardStateOnly) {
      storage.setHardState(r.hardState());
      n.store.sync();
      trace.add(step, n.id, "torn", "only the hard state durable");
      crash(n);
      return;
    }
    List<Runnable> parts = new ArrayList<>();
    Runnable hardState = r.hardState() == null ? null : () -> storage.setHardState(r.hardState());
    boolean hardStateLast = random.nextBoolean();
    if (hardState != null && !hardStateLast) {
      parts.add(hardState);
    }
    if (r.snapshot() != null) {
      parts.add(() -> storage.applySnapshot(r.snapshot()));
    }
    if (!r.entries().isEmpty()) {
      List<Entry> prefix = r.entries().subList(0, 1 + random.nextInt(r.entries().size()));
      parts.add(
          () -> {
            storage.append(prefix);
            invariants.onStaged(n.id, n.raft.term(), storage, prefix);
          });
    }
    if (hardState != null && hardStateLast) {
      parts.add(hardState);
    }
    int durable = parts.isEmpty() ? 0 : random.nextInt(parts.size() + 1);
    for (int k = 0; k < durable; k++) {
      parts.get(k).run();
    }
    n.store.sync();
    trace.add(step, n.id, "torn", durable + " of " + parts.size() + " parts durable");
    crash(n);
  }

  private void applyReady(SimNode n, Ready r) {
    if (r.snapshot() != null) {
      n.sm.restore(r.snapshot());
      trace.add(step, n.id, "install", "snapshot@" + r.snapshot().index());
      invariants.onSnapshotRestored(n.id, n.sm.index(), n.sm.hash());
    }
    for (Entry e : r.committedEntries()) {
      n.sm.apply(e);
      invariants.onApply(n.id, e, n.sm.hash());
    }
    for (ReadState rs : r.readStates()) {
      trace.add(step, n.id, "read", rs);
      Long required = readRequired.remove(rs.requestId());
      invariants.onReadState(n.id, rs, required == null ? 0 : required);
    }
  }

  private boolean maybeCrashAt(SimNode n, CrashPoint point) {
    if (n.crashPoint != point) {
      return false;
    }
    crash(n);
    return true;
  }

  private void crash(SimNode n) {
    trace.add(step, n.id, "crash", n.crashPoint == null ? "between events" : n.crashPoint);
    n.crashPoint = null;
    n.raft = null;
    n.pausedUntil = -1;
    n.missedTicks = 0;
    n.held.clear();
    n.store.crash();
    n.restartAt = step + 20 + random.nextInt(400);
  }

  // ---------------------------------------------------------------- workload and faults

  private void injectFaults() {
    if (chance(options.partitionRate())) {
      trace.add(step, 0, "partition", network.partition());
    }
    if (chance(options.partitionRate() * 2)) {
      trace.add(step, 0, "heal", "");
      network.heal();
    }
    if (chance(options.crashRate())) {
      SimNode n = nodes[1 + random.nextInt(nodes.length - 1)];
      if (n.up()) {
        int point = random.nextInt(CrashPoint.values().length + 1);
        if (point == CrashPoint.values().length) {
          crash(n);
        } else {
          n.crashPoint = CrashPoint.values()[point];
        }
      }
    }
    if (chance(options.pauseRate())) {
      SimNode n = nodes[1 + random.nextInt(nodes.length - 1)];
      if (n.active()) {
        n.pausedUntil = step + 1 + random.nextInt(30 * options.baseTickPeriod());
        trace.add(step, n.id, "pause", "until step " + n.pausedUntil);
      }
    }
    if (chance(options.learnerWipeRate())) {
      maybeWipeNonVoter();
    }
    if (chance(options.readRate())) {
      readAtSomeLeader();
    }
    SimNode leader = currentLeader();
    if (leader == null) {
      return;
    }
    if (leader.raft.term() > lastLeaderTerm) {
      lastLeaderTerm = leader.raft.term();
      // Nemesis: new leaders are the most fragile moment (Raft paper, Figure 8).
      if (chance(options.newLeaderCrashRate())) {
        // Within a few round trips: while it is still sending its predecessors' entries.
        long at = step + 1 + random.nextInt(2 * options.maxDelaySteps() + 2);
        if (random.nextBoolean()) {
          leader.crashAtStep = at;
        } else {
          leader.isolateAtStep = at;
        }
        trace.add(step, leader.id, "doomed", "crash or isolation at step " + at);
      }
    }
    if (chance(options.proposeRate())) {
      propose(leader);
    }
    if (chance(options.membershipRate())) {
      changeMembership(leader);
    }
    if (chance(options.transferRate())) {
      List<Integer> voters = new ArrayList<>(leader.raft.membership().voters());
      int target = voters.get(random.nextInt(voters.size()));
      trace.add(step, leader.id, "transfer", "to n" + target);
      leader.raft.transferLeadership(target);
    }
    if (chance(options.compactRate())) {
      SimNode n = nodes[1 + random.nextInt(nodes.length - 1)];
      if (n.up() && n.raft.appliedIndex() > n.storage().firstIndex()) {
        trace.add(step, n.id, "compact", "to " + n.raft.appliedIndex());
        n.raft.compact(n.raft.appliedIndex(), n.sm.snapshot(options.snapshotPaddingBytes()));
      }
    }
  }

  /** A read at a node that believes it leads, stale leaders included. */
  private void readAtSomeLeader() {
    List<SimNode> leaders = new ArrayList<>();
    for (int i = 1; i < nodes.length; i++) {
      if (nodes[i].active() && nodes[i].raft.role() == RaftRole.LEADER) {
        leaders.add(nodes[i]);
      }
    }
    if (leaders.isEmpty()) {
      return;
    }
    SimNode at = leaders.get(random.nextInt(leaders.size()));
    long id = ++nextReadId;
    readRequired.put(id, invariants.maxCommitted());
    at.raft.readIndex(id);
  }

  /**
   * Loses the whole state of a node that no member counts as a voter (disk replaced, same id): Raft
   * tolerates that only for non-voters, whose acknowledgements never count towards commit and whose
   * votes no candidate counts. The leader must notice and repair it.
   */
  private void maybeWipeNonVoter() {
    SimNode n = nodes[1 + random.nextInt(nodes.length - 1)];
    for (int i = 1; i < nodes.length; i++) {
      if (!nodes[i].up() || nodes[i].raft.membership().voters().contains(n.id)) {
        return;
      }
    }
    trace.add(step, n.id, "wipe", "whole state lost");
    crash(n);
    n.store = new MemoryDurableStore();
    n.sm = new SimStateMachine();
    invariants.onWiped(n.id);
  }

  private boolean chance(double p) {
    return p > 0 && random.nextDouble() < p;
  }

  /** Some node that believes it leads; with several (stale ones), the one with the top term. */
  private SimNode currentLeader() {
    SimNode best = null;
    for (int i = 1; i < nodes.length; i++) {
      SimNode n = nodes[i];
      if (n.active()
          && n.raft.role() == RaftRole.LEADER
          && (best == null || n.raft.term() > best.raft.term())) {
        best = n;
      }
    }
    return best;
  }

  private boolean propose(SimNode leader) {
    int extra = random.nextInt(8) == 0 ? random.nextInt(300) : 0;
    byte[] data = ByteBuffer.allocate(8 + extra).putLong(++nextPayload).array();
    try {
      long index = leader.raft.propose(data);
      Entry e = new Entry(leader.raft.term(), index, EntryType.NORMAL, data);
      proposals.add(new Proposal(index, e.term(), SimStateMachine.entryHash(e)));
      trace.add(step, leader.id, "propose", "#" + nextPayload + " at " + index);
      return true;
    } catch (NotLeaderException e) {
      return false;
    }
  }

  private void changeMembership(SimNode leader) {
    Membership m = leader.raft.membership();
    List<MembershipChange> options = new ArrayList<>();
    for (int i = 1; i < nodes.length; i++) {
      if (!m.contains(i)) {
        options.add(new MembershipChange.AddLearner(i));
      } else if (m.learners().contains(i) && m.voters().size() < 5) {
        options.add(new MembershipChange.PromoteLearner(i));
      } else if (i != leader.id && (m.learners().contains(i) || m.voters().size() > 3)) {
        options.add(new MembershipChange.RemoveNode(i));
      }
    }
    if (options.isEmpty()) {
      return;
    }
    MembershipChange change = options.get(random.nextInt(options.size()));
    try {
      long index = leader.raft.proposeMembership(change);
      trace.add(step, leader.id, "membership", change + " at " + index);
    } catch (IllegalStateException | NotLeaderException e) {
      trace.add(step, leader.id, "refused", change + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- liveness

  private void heal() {
    network.makeReliable();
    for (int i = 1; i < nodes.length; i++) {
      SimNode n = nodes[i];
      n.crashPoint = null;
      n.crashAtStep = -1;
      n.isolateAtStep = -1;
      if (n.paused()) {
        resume(n);
      }
      if (!n.up()) {
        n.restartAt = -1;
        n.start();
      }
    }
    Set<Integer> failed = options.failMinorityAtHeal() ? pickMinority() : Set.of();
    for (int id : failed) {
      crash(nodes[id]);
      nodes[id].restartAt = -1;
    }
    trace.add(step, 0, "HEAL", "network reliable, all nodes up but " + failed);
  }

  /**
   * Voters that every member counts as voters, few enough that the others are a majority in every
   * member's configuration: they stay down for good.
   */
  private Set<Integer> pickMinority() {
    Set<Integer> common = null;
    int fewestVoters = Integer.MAX_VALUE;
    for (int i = 1; i < nodes.length; i++) {
      Set<Integer> voters = nodes[i].raft.membership().voters();
      if (common == null) {
        common = new HashSet<>(voters);
      } else {
        common.retainAll(voters);
      }
      fewestVoters = Math.min(fewestVoters, voters.size());
    }
    List<Integer> candidates = new ArrayList<>(common);
    java.util.Collections.sort(candidates);
    Set<Integer> failed = new HashSet<>();
    int count = Math.min((fewestVoters - 1) / 2, 1 + random.nextInt(2));
    while (failed.size() < count && !candidates.isEmpty()) {
      failed.add(candidates.remove(random.nextInt(candidates.size())));
    }
    return failed;
  }

  /**
   * After the heal a leader must commit and apply a new entry within {@link #LIVENESS_STEPS}; then
   * every proposal must be decided, and every member must catch up within {@link #CATCH_UP_STEPS}.
   */
  private void runLiveness() {
    long healedAt = step;
    long maxLast = 0;
    long minCommit = Long.MAX_VALUE;
    for (int i = 1; i < nodes.length; i++) {
      if (nodes[i].up()) {
        maxLast = Math.max(maxLast, nodes[i].raft.lastIndex());
        minCommit = Math.min(minCommit, nodes[i].raft.commitIndex());
      }
    }
    long backlog = maxLast - minCommit;
    long commitDeadline = LIVENESS_STEPS + STEPS_PER_BACKLOG_ENTRY * backlog;
    Proposal marker = null;
    SimNode leader = null;
    while (true) {
      if (marker != null) {
        long applied = invariants.appliedHash(marker.index());
        if (applied == (marker.dataHash() | 1)) {
          break;
        }
        if (applied != 0) {
          marker = null;
        }
      }
      if (leader == null && step - healedAt >= LIVENESS_STEPS) {
        throw new SimInvariants.SimViolation(
            "liveness: no stable leader within " + LIVENESS_STEPS + " steps after the heal");
      }
      if (step - healedAt >= commitDeadline) {
        throw new SimInvariants.SimViolation(
            "liveness: no leader committed a new entry within "
                + commitDeadline
                + " steps after the heal");
      }
      step();
      drive();
      SimNode stable = stableLeader();
      if (stable != null && (marker == null || stable.raft.term() != marker.term())) {
        leader = stable;
        marker = proposeMarker(leader);
      }
    }
    checkProposalsDecided(marker);
    long committedAt = step;
    while (!appliedEverywhere(leader, marker.index())) {
      if (step - committedAt >= CATCH_UP_STEPS) {
        throw new SimInvariants.SimViolation(
            "liveness: members did not catch up to "
                + marker.index()
                + " within "
                + CATCH_UP_STEPS
                + " steps");
      }
      step();
      drive();
    }
  }

  private Proposal proposeMarker(SimNode leader) {
    byte[] data = ByteBuffer.allocate(8).putLong(-1).array();
    try {
      long index = leader.raft.propose(data);
      trace.add(step, leader.id, "marker", "at " + index);
      Entry e = new Entry(leader.raft.term(), index, EntryType.NORMAL, data);
      return new Proposal(index, e.term(), SimStateMachine.entryHash(e));
    } catch (NotLeaderException e) {
      return null;
    }
  }

  /** A leader whose leadership every member acknowledges. */
  private SimNode stableLeader() {
    SimNode leader = currentLeader();
    if (leader == null) {
      return null;
    }
    for (int id : leader.raft.membership().voters()) {
      RaftNode r = nodes[id].raft;
      if (r != null && (r.leaderId() != leader.id || r.term() != leader.raft.term())) {
        return null;
      }
    }
    return leader;
  }

  private boolean appliedEverywhere(SimNode leader, long index) {
    Membership m = leader.raft.membership();
    for (int i = 1; i < nodes.length; i++) {
      if (m.contains(i) && nodes[i].up() && nodes[i].raft.appliedIndex() < index) {
        return false;
      }
    }
    return true;
  }

  /** Every proposal accepted before the heal is now either applied or visibly superseded. */
  private void checkProposalsDecided(Proposal marker) {
    for (Proposal p : proposals) {
      long applied = invariants.appliedHash(p.index());
      boolean committed = applied == (p.dataHash() | 1);
      boolean superseded =
          (applied != 0 && !committed) || (marker.index() <= p.index() && marker.term() > p.term());
      if (!committed && !superseded) {
        throw new SimInvariants.SimViolation(
            "proposal at index "
                + p.index()
                + " term "
                + p.term()
                + " neither committed nor"
                + " failed after the heal (marker at "
                + marker.index()
                + ")");
      }
    }
  }

  long seed() {
    return seed;
  }

  long steps() {
    return step;
  }
}
