package io.keel.broker.raft;

import io.keel.raft.Checks;
import io.keel.raft.DurableStore;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import io.keel.raft.Message;
import io.keel.raft.RaftConfig;
import io.keel.raft.RaftNode;
import io.keel.raft.RaftStorage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The {@link GroupRuntime} of a broker: a fixed pool of {@link EventLoop}s, each owning the groups
 * whose id hashes to it, all sharing one {@link DurableStore} and one {@link MessageSender}.
 */
public final class EventLoopRuntime implements GroupRuntime, AutoCloseable {
  private final RuntimeConfig config;
  private final DurableStore store;
  private final RaftObserver observer;
  private final EventLoop[] loops;
  private final Map<Long, GroupReplica> groups = new ConcurrentHashMap<>();
  private final RandomGeneratorFactory<RandomGenerator> randoms =
      RandomGeneratorFactory.of("L64X128MixRandom");

  public EventLoopRuntime(
      RuntimeConfig config,
      DurableStore store,
      MessageSender sender,
      RaftObserver observer,
      Consumer<Throwable> fatalHandler) {
    this.config = config;
    this.store = store;
    this.observer = observer;
    this.loops = new EventLoop[config.eventLoops()];
    for (int i = 0; i < loops.length; i++) {
      loops[i] =
          new EventLoop(
              "raft-loop-" + config.nodeId() + "-" + i,
              config.tick().toNanos(),
              store,
              sender,
              observer,
              fatalHandler);
    }
    for (EventLoop loop : loops) {
      loop.start();
    }
  }

  @Override
  public RaftGroup startGroup(long groupId, Membership initial, GroupStateMachine sm) {
    return start(groupId, initial, sm, 0);
  }

  @Override
  public RaftGroup startAutoCompactingGroup(
      long groupId, Membership initial, GroupStateMachine sm) {
    return start(groupId, initial, sm, config.snapshotIntervalEntries());
  }

  private RaftGroup start(
      long groupId, Membership initial, GroupStateMachine sm, long snapshotIntervalEntries) {
    EventLoop loop = loopOf(groupId);
    GroupReplica replica = new GroupReplica(groupId, loop, sm, observer, snapshotIntervalEntries);
    Checks.state(
        groups.putIfAbsent(groupId, replica) == null, "group %s is already running", groupId);
    loop.runOnLoop(() -> initGroup(replica, initial));
    return replica;
  }

  private void initGroup(GroupReplica replica, Membership initial) {
    RaftStorage storage = store.group(replica.groupId());
    if (isFresh(storage)) {
      RaftNode.bootstrap(storage, initial);
      store.sync();
    }
    RaftConfig raftConfig =
        RaftConfig.defaults(replica.groupId(), config.nodeId())
            .withTicks(config.electionTicks(), config.heartbeatTicks());
    RandomGenerator random = randoms.create(System.nanoTime() ^ (replica.groupId() * 31));
    replica.init(storage, new RaftNode(raftConfig, storage, random));
    loopOf(replica.groupId()).addGroup(replica);
  }

  private static boolean isFresh(RaftStorage storage) {
    return storage.hardState().equals(HardState.EMPTY)
        && storage.lastIndex() == 0
        && storage.snapshot().index() == 0;
  }

  @Override
  public void stopGroup(long groupId, boolean deleteData) {
    GroupReplica replica = groups.remove(groupId);
    if (replica == null) {
      return;
    }
    EventLoop loop = loopOf(groupId);
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.runOnLoop(
        () -> {
          loop.removeGroup(groupId);
          replica.failAll("group stopped");
          if (deleteData) {
            store.dropGroup(groupId);
          }
          done.complete(null);
        });
    if (!onAnyLoop()) {
      done.join();
    }
  }

  /** Hands messages received from peers to their groups' loops; thread-safe. */
  public void deliver(List<Message> messages) {
    Map<EventLoop, List<Message>> byLoop = new HashMap<>();
    for (Message m : messages) {
      Checks.arg(
          m.to() == config.nodeId(),
          "message for node %s delivered to %s",
          m.to(),
          config.nodeId());
      if (groups.containsKey(m.groupId())) {
        byLoop.computeIfAbsent(loopOf(m.groupId()), l -> new ArrayList<>()).add(m);
      }
    }
    byLoop.forEach((loop, batch) -> loop.runOnLoop(() -> loop.step(batch)));
  }

  /** The local replicas running now; thread-safe. */
  public Collection<RaftGroup> groups() {
    return List.copyOf(groups.values());
  }

  /** The local replica of {@code groupId}, or null; thread-safe. */
  public RaftGroup group(long groupId) {
    return groups.get(groupId);
  }

  public int nodeId() {
    return config.nodeId();
  }

  private EventLoop loopOf(long groupId) {
    return loops[Math.floorMod(Long.hashCode(groupId * 0x9E3779B97F4A7C15L), loops.length)];
  }

  private boolean onAnyLoop() {
    for (EventLoop loop : loops) {
      if (loop.onLoop()) {
        return true;
      }
    }
    return false;
  }

  /** Stops every loop; pending proposals fail. Does not close the store. */
  @Override
  public void close() {
    for (EventLoop loop : loops) {
      loop.stop();
    }
    groups.clear();
  }
}
