package io.keel.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A small deterministic cluster for targeted tests: messages are queued and delivered in order,
 * links can be cut, and every Ready is executed in the contract's order.
 */
final class RaftTestCluster {
  static final long GROUP = 1;

  static final class Member {
    final int id;
    MemoryDurableStore store = new MemoryDurableStore();
    final List<Entry> applied = new ArrayList<>();
    final List<ReadState> reads = new ArrayList<>();
    final List<Snapshot> installed = new ArrayList<>();
    RaftNode raft;
    // When it matches a Ready, only the Ready's hard state reaches the disk before power fails.
    java.util.function.Predicate<Ready> tearReady = r -> false;

    Member(int id) {
      this.id = id;
    }
  }

  private final Map<Integer, Member> members = new HashMap<>();
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  private final Set<Long> cut = new HashSet<>();
  private final UnaryOperator<RaftConfig> configure;
  private final List<Message> sent = new ArrayList<>();
  private Set<RaftBug> bugs = Set.of();

  private RaftTestCluster(Set<Integer> voters, UnaryOperator<RaftConfig> configure) {
    this.configure = configure;
    for (int id : voters) {
      Member m = new Member(id);
      RaftNode.bootstrap(m.store.group(GROUP), Membership.ofVoters(voters));
      m.store.sync();
      members.put(id, m);
      start(m);
    }
  }

  static RaftTestCluster of(Set<Integer> voters) {
    return new RaftTestCluster(voters, c -> c);
  }

  static RaftTestCluster of(Set<Integer> voters, UnaryOperator<RaftConfig> configure) {
    return new RaftTestCluster(voters, configure);
  }

  private void start(Member m) {
    RaftConfig config = configure.apply(RaftConfig.defaults(GROUP, m.id));
    m.raft = new RaftNode(config, m.store.group(GROUP), new SplittableRandom(m.id));
    m.raft.injectBugs(bugs);
  }

  /** Switches deliberate bugs on in every node, now and after restarts. */
  RaftTestCluster withBugs(Set<RaftBug> injected) {
    bugs = injected;
    members.values().forEach(m -> m.raft.injectBugs(injected));
    return this;
  }

  /** Adds a node with empty storage (not a member until added by a membership change). */
  Member addBlankNode(int id) {
    Member m = new Member(id);
    members.put(id, m);
    start(m);
    return m;
  }

  Member member(int id) {
    return members.get(id);
  }

  RaftNode node(int id) {
    return members.get(id).raft;
  }

  /** Power loss on {@code id} and a restart from what was synced. */
  void crashAndRestart(int id) {
    Member m = members.get(id);
    m.store.crash();
    m.applied.clear();
    start(m);
  }

  /**
   * {@code id} restarts with its log gone but its term and vote kept: unsynced data lost under a
   * lax fsync policy that still syncs the hard state (or a replaced data disk).
   */
  void loseLogAndRestart(int id, Membership bootstrap) {
    Member m = members.get(id);
    HardState kept = m.store.group(GROUP).hardState();
    m.store = new MemoryDurableStore();
    RaftNode.bootstrap(m.store.group(GROUP), bootstrap);
    m.store.group(GROUP).setHardState(new HardState(kept.term(), kept.vote(), 0));
    m.store.sync();
    m.applied.clear();
    start(m);
  }

  void cut(int a, int b) {
    cut.add(link(a, b));
    cut.add(link(b, a));
  }

  void isolate(int id) {
    for (int other : members.keySet()) {
      if (other != id) {
        cut(id, other);
      }
    }
  }

  void heal() {
    cut.clear();
  }

  private static long link(int from, int to) {
    return (long) from << 32 | to;
  }

  /** Messages sent so far (delivered or not), for assertions. */
  List<Message> sent() {
    return sent;
  }

  /** Executes every Ready and delivers every message until nothing moves. */
  void settle() {
    for (int rounds = 0; rounds < 100_000; rounds++) {
      boolean moved = false;
      for (Member m : members.values()) {
        moved |= drain(m);
      }
      Message next = queue.poll();
      if (next != null) {
        moved = true;
        Member to = members.get(next.to());
        if (to != null && !cut.contains(link(next.from(), next.to()))) {
          to.raft.step(next);
        }
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("cluster did not settle");
  }

  private boolean drain(Member m) {
    boolean any = false;
    while (m.raft.hasReady()) {
      any = true;
      Ready r = m.raft.ready();
      RaftStorage storage = m.store.group(GROUP);
      if (m.tearReady.test(r)) {
        m.tearReady = x -> false;
        storage.setHardState(r.hardState());
        m.store.sync();
        crashAndRestart(m.id);
        continue;
      }
      if (r.hardState() != null) {
        storage.setHardState(r.hardState());
      }
      if (r.snapshot() != null) {
        storage.applySnapshot(r.snapshot());
        m.installed.add(r.snapshot());
      }
      storage.append(r.entries());
      sent.addAll(r.messagesBeforeSync());
      queue.addAll(r.messagesBeforeSync());
      m.store.sync();
      sent.addAll(r.messages());
      queue.addAll(r.messages());
      m.applied.addAll(r.committedEntries());
      m.reads.addAll(r.readStates());
      m.raft.advance(r);
    }
    return any;
  }

  /** Ticks every node once and settles. */
  void tickAll(int times) {
    for (int i = 0; i < times; i++) {
      for (Member m : members.values()) {
        m.raft.tick();
      }
      settle();
    }
  }

  /** Ticks only {@code id} until it leads (others only react), then settles. */
  void elect(int id) {
    for (int i = 0; i < 200 && node(id).role() != RaftRole.LEADER; i++) {
      node(id).tick();
      settle();
    }
    if (node(id).role() != RaftRole.LEADER) {
      throw new AssertionError("node " + id + " was not elected: " + node(id));
    }
  }

  /** Proposes on {@code id} and settles. */
  long propose(int id, String data) {
    long index = node(id).propose(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    settle();
    return index;
  }

  /** Application data (NORMAL entries) applied on {@code id}, as strings. */
  List<String> appliedData(int id) {
    List<String> out = new ArrayList<>();
    for (Entry e : members.get(id).applied) {
      if (e.type() == EntryType.NORMAL) {
        out.add(new String(e.data(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
