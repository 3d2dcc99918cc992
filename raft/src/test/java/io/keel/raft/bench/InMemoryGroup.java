package io.keel.raft.bench;

import io.keel.raft.Entry;
import io.keel.raft.Membership;
import io.keel.raft.MemoryDurableStore;
import io.keel.raft.Message;
import io.keel.raft.RaftConfig;
import io.keel.raft.RaftNode;
import io.keel.raft.RaftRole;
import io.keel.raft.RaftStorage;
import io.keel.raft.Ready;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A 3-node group in one thread: each node has its own {@link MemoryDurableStore}, messages are
 * delivered directly, and every Ready is executed in the contract's order.
 */
final class InMemoryGroup {
  private static final long GROUP = 1;
  private static final long COMPACT_EVERY_ENTRIES = 200_000;

  private final RaftNode[] nodes = new RaftNode[4];
  private final MemoryDurableStore[] stores = new MemoryDurableStore[4];
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private long appliedBytes;
  private long lastCompaction;

  InMemoryGroup() {
    Set<Integer> voters = Set.of(1, 2, 3);
    for (int id = 1; id <= 3; id++) {
      stores[id] = new MemoryDurableStore();
      RaftNode.bootstrap(stores[id].group(GROUP), Membership.ofVoters(voters));
      stores[id].sync();
      RaftConfig config = RaftConfig.defaults(GROUP, id);
      nodes[id] = new RaftNode(config, stores[id].group(GROUP), new SplittableRandom(id));
    }
    while (nodes[1].role() != RaftRole.LEADER) {
      nodes[1].tick();
      settle();
    }
  }

  RaftNode leader() {
    return nodes[1];
  }

  long appliedBytes() {
    return appliedBytes;
  }

  /** Runs Ready cycles and deliveries until the leader has applied {@code index}. */
  void runUntilApplied(long index) {
    while (nodes[1].appliedIndex() < index) {
      if (!settleOnce()) {
        nodes[1].tick();
      }
    }
    maybeCompact();
  }

  void settle() {
    while (settleOnce()) {
      // Keep cycling until no node has work and no message is in flight.
    }
  }

  private boolean settleOnce() {
    boolean moved = false;
    for (int id = 1; id <= 3; id++) {
      moved |= drain(id);
    }
    Message m;
    while ((m = network.poll()) != null) {
      moved = true;
      nodes[m.to()].step(m);
    }
    return moved;
  }

  private boolean drain(int id) {
    RaftNode node = nodes[id];
    boolean any = false;
    while (node.hasReady()) {
      any = true;
      Ready r = node.ready();
      RaftStorage storage = stores[id].group(GROUP);
      if (r.hardState() != null) {
        storage.setHardState(r.hardState());
      }
      if (r.snapshot() != null) {
        storage.applySnapshot(r.snapshot());
      }
      storage.append(r.entries());
      network.addAll(r.messagesBeforeSync());
      stores[id].sync();
      network.addAll(r.messages());
      if (id == 1) {
        for (Entry e : r.committedEntries()) {
          appliedBytes += e.data().length;
        }
      }
      node.advance(r);
    }
    return any;
  }

  private void maybeCompact() {
    long applied = nodes[1].appliedIndex();
    if (applied - lastCompaction < COMPACT_EVERY_ENTRIES) {
      return;
    }
    for (int id = 1; id <= 3; id++) {
      long index = nodes[id].appliedIndex();
      if (index >= stores[id].group(GROUP).firstIndex()) {
        nodes[id].compact(index, new byte[0]);
      }
    }
    lastCompaction = applied;
  }
}
