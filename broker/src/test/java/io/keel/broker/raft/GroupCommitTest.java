package io.keel.broker.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.raft.DurableStore;
import io.keel.raft.Entry;
import io.keel.raft.Membership;
import io.keel.raft.MemoryDurableStore;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many groups on one event loop share each sync: proposals to all of them cost a few fsyncs. */
class GroupCommitTest {
  private static final int GROUPS = 20;

  @Test
  void oneSyncCoversEveryGroupOfALoopIteration() throws Exception {
    CountingStore store = new CountingStore(new MemoryDurableStore());
    try (EventLoopRuntime runtime =
        new EventLoopRuntime(
            new RuntimeConfig(1, 1, Duration.ofMillis(5), 4, 1, 1000),
            store,
            messages -> {},
            RaftObserver.NONE,
            t -> {})) {
      List<RaftGroup> groups = new ArrayList<>();
      for (long g = 1; g <= GROUPS; g++) {
        groups.add(runtime.startGroup(g, Membership.ofVoters(Set.of(1)), new Ignoring()));
      }
      TestCluster.await(
          Duration.ofSeconds(10),
          () -> groups.stream().allMatch(RaftGroup::isLeader),
          () -> "single-node groups did not elect themselves");
      TestCluster.await(
          Duration.ofSeconds(10),
          () -> groups.stream().allMatch(g -> g.appliedIndex() >= 1),
          () -> "leaders did not apply their first entry");

      CompletableFuture<List<Proposal>> proposed = new CompletableFuture<>();
      long syncsBefore = store.syncs.get();
      // One task on the shared loop proposes to every group: their entries share one iteration.
      groups
          .get(0)
          .executor()
          .execute(
              () ->
                  proposed.complete(groups.stream().map(g -> g.propose(new byte[] {1})).toList()));
      for (Proposal p : proposed.get(10, TimeUnit.SECONDS)) {
        p.committed().get(10, TimeUnit.SECONDS);
      }
      long syncs = store.syncs.get() - syncsBefore;
      assertTrue(syncs <= GROUPS / 4, GROUPS + " proposals took " + syncs + " syncs");
    }
  }

  @Test
  void aCommitIndexChangeAloneDoesNotCostASync() throws Exception {
    CountingStore store = new CountingStore(new MemoryDurableStore());
    try (EventLoopRuntime runtime =
        new EventLoopRuntime(
            new RuntimeConfig(1, 1, Duration.ofMillis(5), 4, 1, 1000),
            store,
            messages -> {},
            RaftObserver.NONE,
            t -> {})) {
      RaftGroup group = runtime.startGroup(1, Membership.ofVoters(Set.of(1)), new Ignoring());
      TestCluster.await(
          Duration.ofSeconds(10),
          () -> group.isLeader() && group.appliedIndex() >= 1,
          () -> "single-node group did not elect itself");
      int proposals = 20;
      long syncsBefore = store.syncs.get();
      for (int i = 0; i < proposals; i++) {
        CompletableFuture<Proposal> proposed = new CompletableFuture<>();
        group.executor().execute(() -> proposed.complete(group.propose(new byte[] {1})));
        proposed.get(10, TimeUnit.SECONDS).committed().get(10, TimeUnit.SECONDS);
      }
      // Each entry needs one sync; the commit index it then moves is staged for the next one.
      long syncs = store.syncs.get() - syncsBefore;
      assertTrue(syncs <= proposals + 2, proposals + " proposals took " + syncs + " syncs");
    }
  }

  private static final class CountingStore implements DurableStore {
    private final DurableStore delegate;
    final AtomicLong syncs = new AtomicLong();

    CountingStore(DurableStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public RaftStorage group(long groupId) {
      return delegate.group(groupId);
    }

    @Override
    public void sync() {
      syncs.incrementAndGet();
      delegate.sync();
    }

    @Override
    public void dropGroup(long groupId) {
      delegate.dropGroup(groupId);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static final class Ignoring implements GroupStateMachine {
    @Override
    public void apply(Entry entry) {}

    @Override
    public byte[] takeSnapshot() {
      return new byte[0];
    }

    @Override
    public void restoreSnapshot(Snapshot snapshot) {}

    @Override
    public void onRoleChange(SoftState state) {}
  }
}
