package io.keel.broker.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.MemoryDurableStore;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One group's failure on a shared event loop (here its state machine throws, as a damaged store
 * makes a read throw) quarantines that group only: the loop keeps running the node's other groups,
 * and a refused compaction or leadership transfer stops nothing.
 */
@Timeout(60)
class GroupQuarantineTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Membership SOLO = Membership.ofVoters(Set.of(1));

  @Test
  void failingGroupIsQuarantinedAndTheLoopServesTheOthers() throws Exception {
    List<Long> quarantined = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    RaftObserver observer =
        new RaftObserver() {
          @Override
          public void becameLeader(long groupId) {}

          @Override
          public void committed(long nanos) {}

          @Override
          public void synced(long nanos) {}

          @Override
          public void quarantined(long groupId, Throwable cause) {
            quarantined.add(groupId);
          }
        };
    try (MemoryDurableStore store = new MemoryDurableStore();
        EventLoopRuntime runtime =
            new EventLoopRuntime(
                new RuntimeConfig(1, 1, Duration.ofMillis(5), 10, 1, 5),
                store,
                messages -> {},
                observer,
                fatal::set)) {
      RaftGroup bad = runtime.startGroup(1, SOLO, new Machine());
      RaftGroup good = runtime.startGroup(2, SOLO, new Machine());
      TestCluster.await(WAIT, () -> bad.isLeader() && good.isLeader(), () -> "no leaders");

      CompletableFuture<Void> boom = propose(bad, "boom");
      // The cause is published before the loop fails the group's pending work and tells the
      // observer (so nothing new is accepted meanwhile): wait for each, do not race them.
      TestCluster.await(WAIT, () -> bad.quarantineCause().isPresent(), () -> "not quarantined");
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> boom.get(10, TimeUnit.SECONDS));
      assertTrue(
          failed.getCause().getMessage().contains("quarantined"), failed.getCause().toString());
      TestCluster.await(WAIT, () -> !quarantined.isEmpty(), () -> "observer not told");
      assertEquals(List.of(1L), quarantined);

      bad.compact(1_000); // beyond the applied index: ignored, not fatal
      good.compact(1_000);
      good.transferLeadership(9); // not a member
      propose(good, "after").get(10, TimeUnit.SECONDS);
      assertTrue(good.quarantineCause().isEmpty());
      assertEquals(null, fatal.get(), "the loop must not stop");
    }
  }

  private static CompletableFuture<Void> propose(RaftGroup g, String data) throws Exception {
    CompletableFuture<CompletableFuture<Void>> committed = new CompletableFuture<>();
    g.executor()
        .execute(
            () -> {
              try {
                committed.complete(g.propose(data.getBytes(StandardCharsets.UTF_8)).committed());
              } catch (RuntimeException e) {
                committed.completeExceptionally(e);
              }
            });
    return committed.get(10, TimeUnit.SECONDS);
  }

  /** Throws on an entry "boom", as a state machine does when its storage read fails. */
  private static final class Machine implements GroupStateMachine {
    @Override
    public void apply(Entry entry) {
      if (entry.type() == EntryType.NORMAL
          && new String(entry.data(), StandardCharsets.UTF_8).equals("boom")) {
        throw new IllegalStateException("simulated damaged storage under this group");
      }
    }

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
