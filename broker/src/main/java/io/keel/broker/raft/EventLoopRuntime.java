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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link GroupRuntime} of a broker: a fixed pool of {@link EventLoop}s, each owning the groups
 * whose id hashes to it, all sharing one {@link DurableStore} and one {@link MessageSender}.
 */
public final class EventLoopRuntime implements GroupRuntime, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLoopRuntime.class);
  private final RuntimeConfig config;
  private final DurableStore store;
  private final RaftObserver observer;
  private final Admission admission;
  private final EventLoop[] loops;
  private final Map<Long, GroupReplica> groups = new ConcurrentHashMap<>();
  private final Map<Long, Long> fenceIndexes = new ConcurrentHashMap<>();
  private final RandomGeneratorFactory<RandomGenerator> randoms =
      RandomGeneratorFactory.of("L64X128MixRandom");

  /** A runtime whose fresh replicas always bootstrap ({@link Admission#TRUSTING}): tests only. */
  public EventLoopRuntime(
      RuntimeConfig config,
      DurableStore store,
      MessageSender sender,
      RaftObserver observer,
      Consumer<Throwable> fatalHandler) {
    this(config, store, sender, observer, fatalHandler, Admission.TRUSTING);
  }

  public EventLoopRuntime(
      RuntimeConfig config,
      DurableStore store,
      MessageSender sender,
      RaftObserver observer,
      Consumer<Throwable> fatalHandler,
      Admission admission) {
    this.config = config;
    this.store = store;
    this.observer = observer;
    this.admission = admission;
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
  public RaftGroup startGroup(
      long groupId, Membership initial, GroupStateMachine sm, FreshStart fresh) {
    return start(groupId, initial, sm, 0, fresh);
  }

  @Override
  public RaftGroup startAutoCompactingGroup(
      long groupId, Membership initial, GroupStateMachine sm, FreshStart fresh) {
    return start(groupId, initial, sm, config.snapshotIntervalEntries(), fresh);
  }

  private RaftGroup start(
      long groupId,
      Membership initial,
      GroupStateMachine sm,
      long snapshotIntervalEntries,
      FreshStart fresh) {
    EventLoop loop = loopOf(groupId);
    GroupReplica replica = new GroupReplica(groupId, loop, sm, observer, snapshotIntervalEntries);
    Checks.state(
        groups.putIfAbsent(groupId, replica) == null, "group %s is already running", groupId);
    loop.runOnLoop(() -> initGroup(replica, initial, fresh));
    return replica;
  }

  private void initGroup(GroupReplica replica, Membership initial, FreshStart fresh) {
    RaftStorage storage = store.group(replica.groupId());
    if (!isFresh(storage)) {
      startNode(replica, storage);
      return;
    }
    if (fresh == FreshStart.BOOTSTRAP) {
      RaftNode.bootstrap(storage, initial);
      store.sync();
      startNode(replica, storage);
      return;
    }
    // Not a member until admitted: no node, so the loop drops its messages and never ticks it.
    long groupId = replica.groupId();
    log.info("group {}: store is fresh but the group exists ({}); rejoining", groupId, fresh);
    CompletableFuture<Admission.Admit> admit = admission.admit(groupId, initial.voters(), fresh);
    replica.rejoining(admit);
    admit.whenComplete(
        (a, err) -> {
          if (err == null) {
            loopOf(groupId).enqueue(() -> admitted(replica, initial, a));
          } else if (!admit.isCancelled()) {
            log.error("group {}: rejoin failed", groupId, err);
          }
        });
  }

  private void admitted(GroupReplica replica, Membership initial, Admission.Admit admit) {
    long groupId = replica.groupId();
    if (groups.get(groupId) != replica) {
      return; // stopped while it waited
    }
    RaftStorage storage = store.group(groupId);
    Checks.state(isFresh(storage), "group %s: store changed while rejoining", groupId);
    RaftNode.bootstrap(storage, initial);
    switch (admit) {
      case Admission.Bootstrap b ->
          log.info("group {}: no other voter ever elected a leader; bootstrapped", groupId);
      case Admission.Fenced f -> {
        // The vote for the fencing leader keeps this replica from voting in the fence term.
        storage.setHardState(new HardState(f.term(), f.leaderId(), 0));
        fenceIndexes.put(groupId, f.index());
        observer.rejoined(groupId, f.term());
        log.info(
            "group {}: rejoined behind the fence of term {} (leader {})",
            groupId,
            f.term(),
            f.leaderId());
      }
    }
    store.sync();
    startNode(replica, storage);
  }

  private void startNode(GroupReplica replica, RaftStorage storage) {
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
          replica.stopRejoining();
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

  @Override
  public long fenceIndex(long groupId) {
    return fenceIndexes.getOrDefault(groupId, 0L);
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
    groups.values().forEach(GroupReplica::stopRejoining);
    for (EventLoop loop : loops) {
      loop.stop();
    }
    groups.clear();
  }
}
