package io.keel.broker.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.MemoryDurableStore;
import io.keel.raft.Message;
import io.keel.raft.NotLeaderException;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three runtimes wired in memory: proposals, reads, failures on leadership loss, compaction. */
class EventLoopRuntimeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long GROUP = 5;
  private static final Membership VOTERS = Membership.ofVoters(Set.of(1, 2, 3));

  private final EventLoopRuntime[] runtimes = new EventLoopRuntime[4];
  private final MemoryDurableStore[] stores = new MemoryDurableStore[4];
  private final Recorder[] machines = new Recorder[4];
  private final RaftGroup[] groups = new RaftGroup[4];
  private final Set<Integer> isolated = Collections.synchronizedSet(new java.util.HashSet<>());

  @BeforeEach
  void start() {
    for (int id = 1; id <= 3; id++) {
      stores[id] = new MemoryDurableStore();
      runtimes[id] =
          new EventLoopRuntime(
              new RuntimeConfig(id, 1, Duration.ofMillis(10), 10, 1, 5),
              stores[id],
              this::route,
              RaftObserver.NONE,
              t -> {});
    }
  }

  @AfterEach
  void stop() {
    for (int id = 1; id <= 3; id++) {
      runtimes[id].close();
    }
  }

  private void route(List<Message> messages) {
    for (Message m : messages) {
      if (!isolated.contains(m.from()) && !isolated.contains(m.to())) {
        runtimes[m.to()].deliver(List.of(m));
      }
    }
  }

  private void startGroups(boolean autoCompact) {
    for (int id = 1; id <= 3; id++) {
      machines[id] = new Recorder();
      groups[id] =
          autoCompact
              ? runtimes[id].startAutoCompactingGroup(GROUP, VOTERS, machines[id])
              : runtimes[id].startGroup(GROUP, VOTERS, machines[id]);
    }
  }

  private int awaitLeader() {
    TestCluster.await(WAIT, () -> leader() != 0, () -> "no leader elected");
    return leader();
  }

  private int leader() {
    for (int id = 1; id <= 3; id++) {
      if (groups[id].isLeader() && !isolated.contains(id)) {
        return id;
      }
    }
    return 0;
  }

  private static <T> T onLoop(RaftGroup g, java.util.concurrent.Callable<T> call) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    g.executor()
        .execute(
            () -> {
              try {
                f.complete(call.call());
              } catch (Exception e) {
                f.completeExceptionally(e);
              }
            });
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void proposalIsAppendedCommittedAndAppliedEverywhere() throws Exception {
    startGroups(false);
    int leader = awaitLeader();
    RaftGroup g = groups[leader];

    Proposal p = onLoop(g, () -> g.propose(bytes("a")));
    p.appended().get(10, TimeUnit.SECONDS);
    p.committed().get(10, TimeUnit.SECONDS);

    for (int id = 1; id <= 3; id++) {
      Recorder m = machines[id];
      TestCluster.await(WAIT, () -> m.applied().contains("a"), () -> "applied: " + m.applied());
    }
    long read = g.readIndex().get(10, TimeUnit.SECONDS);
    assertTrue(read >= p.index());
    assertTrue(g.appliedIndex() >= read);
  }

  @Test
  void proposingOnAFollowerNamesTheLeader() throws Exception {
    startGroups(false);
    int leader = awaitLeader();
    int follower = leader % 3 + 1;
    RaftGroup g = groups[follower];
    TestCluster.await(WAIT, () -> g.leaderId() == leader, () -> "follower never learned leader");

    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> onLoop(g, () -> g.propose(bytes("x"))));
    NotLeaderException notLeader = assertInstanceOf(NotLeaderException.class, e.getCause());
    assertEquals(leader, notLeader.leaderId());
  }

  @Test
  void proposalFailsWhenTheLeaderIsCutOffAndLosesLeadership() throws Exception {
    startGroups(false);
    int leader = awaitLeader();
    RaftGroup g = groups[leader];
    isolated.add(leader);

    Proposal p = onLoop(g, () -> g.propose(bytes("lost")));

    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> p.committed().get(10, TimeUnit.SECONDS));
    assertInstanceOf(ProposalFailedException.class, e.getCause());
    isolated.clear();
    int next = awaitLeader();
    Proposal after = onLoop(groups[next], () -> groups[next].propose(bytes("after")));
    after.committed().get(10, TimeUnit.SECONDS);
    TestCluster.await(
        WAIT,
        () -> machines[leader].applied().contains("after"),
        () -> "old leader never caught up");
    assertTrue(!machines[leader].applied().contains("lost"), "an uncommitted entry was applied");
  }

  @Test
  void autoCompactingGroupSnapshotsAndCompactsItsLog() throws Exception {
    startGroups(true);
    int leader = awaitLeader();
    RaftGroup g = groups[leader];
    Proposal last = null;
    for (int i = 0; i < 20; i++) {
      int n = i;
      last = onLoop(g, () -> g.propose(bytes("e" + n)));
    }
    last.committed().get(10, TimeUnit.SECONDS);
    long firstIndex = onLoop(g, () -> stores[leader].group(GROUP).firstIndex());
    assertTrue(firstIndex > 1, "log was not compacted, first index " + firstIndex);
    assertTrue(machines[leader].snapshots > 0);
  }

  @Test
  void stoppedGroupFailsPendingProposalsAndCanDropItsData() throws Exception {
    startGroups(false);
    int leader = awaitLeader();
    RaftGroup g = groups[leader];
    isolated.add(leader);
    Proposal p = onLoop(g, () -> g.propose(bytes("pending")));

    runtimes[leader].stopGroup(GROUP, true);

    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> p.committed().get(10, TimeUnit.SECONDS));
    assertInstanceOf(ProposalFailedException.class, e.getCause());
    assertEquals(null, runtimes[leader].group(GROUP));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Records applied NORMAL entries; a snapshot is the list joined with commas. */
  private static final class Recorder implements GroupStateMachine {
    private final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    volatile int snapshots;

    List<String> applied() {
      synchronized (applied) {
        return List.copyOf(applied);
      }
    }

    @Override
    public void apply(Entry entry) {
      if (entry.type() == EntryType.NORMAL) {
        applied.add(new String(entry.data(), StandardCharsets.UTF_8));
      }
    }

    @Override
    public byte[] takeSnapshot() {
      snapshots++;
      return String.join(",", applied()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void restoreSnapshot(Snapshot snapshot) {
      applied.clear();
      String s = new String(snapshot.data(), StandardCharsets.UTF_8);
      if (!s.isEmpty()) {
        applied.addAll(List.of(s.split(",")));
      }
    }

    @Override
    public void onRoleChange(SoftState state) {}
  }
}
