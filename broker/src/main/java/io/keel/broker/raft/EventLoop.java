package io.keel.broker.raft;

import io.keel.raft.Checks;
import io.keel.raft.DurableStore;
import io.keel.raft.Message;
import io.keel.raft.RaftRole;
import io.keel.raft.Ready;
import io.keel.raft.SoftState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-loop thread driving a set of groups. An iteration runs queued tasks (messages,
 * proposals, reads), ticks every group when a tick is due, then executes the Readys of all its
 * groups with a single {@link DurableStore#sync()} between staging and sending (group commit); the
 * leaders' replication messages go out before that sync, the rest after it.
 */
final class EventLoop implements Executor {
  private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
  private static final int MAX_TASKS_PER_ITERATION = 4096;
  // One line per granted vote and per leadership won, after it is durable and sent: the chaos
  // checker reads them to prove no node votes twice in a term, even across a wiped disk.
  private static final Logger elections = LoggerFactory.getLogger("io.keel.broker.raft.elections");

  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Map<Long, GroupReplica> groups = new HashMap<>(); // loop thread only
  private final List<GroupReplica> maybeCompact = new ArrayList<>(); // loop thread only
  private final DurableStore store;
  private final MessageSender sender;
  private final RaftObserver observer;
  private final Consumer<Throwable> fatalHandler;
  private final long tickNanos;
  private final Thread thread;
  private volatile boolean running = true;
  private boolean syncNeeded;
  private boolean executingReadys;

  EventLoop(
      String name,
      long tickNanos,
      DurableStore store,
      MessageSender sender,
      RaftObserver observer,
      Consumer<Throwable> fatalHandler) {
    this.tickNanos = tickNanos;
    this.store = store;
    this.sender = sender;
    this.observer = observer;
    this.fatalHandler = fatalHandler;
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Stops after the current iteration and waits for the thread to end. */
  void stop() {
    running = false;
    tasks.add(() -> {});
    if (Thread.currentThread() != thread) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs an application task on the loop; a failure is logged and does not stop the loop. */
  @Override
  public void execute(Runnable task) {
    tasks.add(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.error("task on {} failed", thread.getName(), e);
          }
        });
  }

  /** Runs an internal task on the loop: inline when already there; a failure is fatal. */
  void runOnLoop(Runnable task) {
    if (Thread.currentThread() == thread) {
      task.run();
    } else {
      tasks.add(task);
    }
  }

  /** Queues an internal task even when called on the loop (e.g. from a state machine callback). */
  void enqueue(Runnable task) {
    tasks.add(task);
  }

  /** Makes the next iteration sync even if no Ready needs it (e.g. after a compaction). */
  void requestSync() {
    syncNeeded = true;
  }

  /** True between the groups' ready() and advance(): no node may be called then. */
  boolean executingReadys() {
    return executingReadys;
  }

  boolean onLoop() {
    return Thread.currentThread() == thread;
  }

  void checkOnLoop() {
    Checks.state(
        onLoop(),
        "must run on %s, called from %s",
        thread.getName(),
        Thread.currentThread().getName());
  }

  void addGroup(GroupReplica replica) {
    Checks.state(
        groups.putIfAbsent(replica.groupId(), replica) == null,
        "group %s already runs on %s",
        replica.groupId(),
        thread.getName());
    syncNeeded = true;
  }

  GroupReplica removeGroup(long groupId) {
    return groups.remove(groupId);
  }

  void step(List<Message> messages) {
    for (Message m : messages) {
      GroupReplica replica = groups.get(m.groupId());
      if (replica != null && replica.node() != null) {
        try {
          replica.node().step(m);
        } catch (RuntimeException e) {
          quarantine(replica, e);
        }
      }
    }
  }

  /**
   * One group's failure (damaged or full storage, a broken invariant in its node or state machine)
   * stops that group only: it leaves the loop, its pending work fails, the node keeps serving the
   * others. Only a failed {@link DurableStore#sync()} stops the loop, since it covers every group.
   */
  void quarantine(GroupReplica g, RuntimeException cause) {
    if (groups.remove(g.groupId()) == null) {
      return;
    }
    log.error(
        "group {} quarantined on {}: its replica stopped", g.groupId(), thread.getName(), cause);
    g.quarantine(cause);
    observer.quarantined(g.groupId(), cause);
  }

  private void run() {
    long nextTick = System.nanoTime() + tickNanos;
    try {
      while (running) {
        long waitNanos = nextTick - System.nanoTime();
        Runnable first = waitNanos > 0 ? tasks.poll(waitNanos, TimeUnit.NANOSECONDS) : null;
        if (first != null) {
          first.run();
        }
        Runnable next;
        for (int n = 0; n < MAX_TASKS_PER_ITERATION && (next = tasks.poll()) != null; n++) {
          next.run();
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          tickAll();
          // Never tick in a burst to catch up after a stall: that would fire elections at once.
          nextTick = nextTick + tickNanos - now > 0 ? nextTick + tickNanos : now + tickNanos;
        }
        processReadys();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      running = false;
      log.error("event loop {} stopped by a fatal error", thread.getName(), t);
      fatalHandler.accept(t);
    } finally {
      groups.values().forEach(g -> g.failAll("node stopping"));
    }
  }

  private void tickAll() {
    for (GroupReplica g : List.copyOf(groups.values())) {
      if (g.node() != null) {
        try {
          g.node().tick();
          g.publish();
        } catch (RuntimeException e) {
          quarantine(g, e);
        }
      }
    }
  }

  /** Executes the Readys of every group of this loop, sharing one sync. */
  private void processReadys() {
    executingReadys = true;
    try {
      executeReadys();
    } finally {
      executingReadys = false;
    }
    for (GroupReplica g : maybeCompact) {
      try {
        syncNeeded |= g.maybeCompact();
      } catch (RuntimeException e) {
        quarantine(g, e);
      }
    }
    maybeCompact.clear();
  }

  private static void logVotes(List<Message> sent) {
    for (Message m : sent) {
      if (m instanceof Message.VoteResponse v && v.granted() && !v.preVote()) {
        elections.info("vote group={} term={} candidate={}", v.groupId(), v.term(), v.to());
      }
    }
  }

  private void executeReadys() {
    List<GroupReplica> ready = new ArrayList<>();
    List<Ready> readys = new ArrayList<>();
    boolean needSync = syncNeeded;
    for (GroupReplica g : List.copyOf(groups.values())) {
      if (g.node() != null && g.node().hasReady()) {
        try {
          Ready r = g.node().ready();
          needSync |= g.stage(r);
          ready.add(g);
          readys.add(r);
        } catch (RuntimeException e) {
          quarantine(g, e); // its messages are never sent: nothing it staged is promised
        }
      }
    }
    // A leader's appends leave before its own fsync, so followers write in parallel with it; the
    // leader counts itself in the quorum only in advance(), after the sync (Ready's contract).
    List<Message> beforeSync = new ArrayList<>();
    readys.forEach(r -> beforeSync.addAll(r.messagesBeforeSync()));
    if (!beforeSync.isEmpty()) {
      sender.send(beforeSync);
    }
    if (needSync) {
      long start = System.nanoTime();
      store.sync();
      observer.synced(System.nanoTime() - start);
      syncNeeded = false;
    }
    if (ready.isEmpty()) {
      return;
    }
    List<Message> outgoing = new ArrayList<>();
    readys.forEach(r -> outgoing.addAll(r.messages()));
    if (!outgoing.isEmpty()) {
      sender.send(outgoing);
      logVotes(outgoing);
    }
    for (int i = 0; i < ready.size(); i++) {
      GroupReplica g = ready.get(i);
      SoftState soft = readys.get(i).softState();
      if (soft != null && soft.role() == RaftRole.LEADER) {
        elections.info("leader group={} term={}", g.groupId(), soft.term());
      }
      try {
        g.complete(readys.get(i));
        g.publish();
        maybeCompact.add(g);
      } catch (RuntimeException e) {
        quarantine(g, e);
      }
    }
  }
}
