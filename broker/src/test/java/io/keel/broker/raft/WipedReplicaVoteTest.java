package io.keel.broker.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.raft.Entry;
import io.keel.raft.Membership;
import io.keel.raft.Message;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose disk was wiped (same node id, real RocksDB store) must not vote again in a term
 * it voted in before: it grants candidate 1 a vote in term 5, loses its store, and is then asked by
 * candidate 2 in term 5. Started as a replica of an existing group ({@link FreshStart#REJOIN}) it
 * answers nothing until its fence arrives, and then refuses. Bootstrapped again (the old behaviour:
 * switch the restart below to BOOTSTRAP) it grants the second vote and the test fails.
 */
@Timeout(60)
class WipedReplicaVoteTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long GROUP = 7;
  private static final int ME = 3;
  private static final Membership VOTERS = Membership.ofVoters(Set.of(1, 2, 3));
  private static final RuntimeConfig CONFIG =
      new RuntimeConfig(ME, 1, Duration.ofMillis(5), 10, 1, 1000);

  @TempDir Path dir;
  private final List<Message.VoteResponse> sent = new CopyOnWriteArrayList<>();

  @Test
  void aWipedReplicaDoesNotVoteTwiceInATerm() throws Exception {
    Path storeDir = dir.resolve("store");
    try (LogStore store = LogStore.open(LogStoreConfig.defaults(storeDir));
        EventLoopRuntime runtime = runtime(store, Admission.TRUSTING)) {
      runtime.startGroup(GROUP, VOTERS, new Ignoring(), FreshStart.BOOTSTRAP);
      askUntilAnswered(runtime, 1);
      assertTrue(granted(1), "the intact replica votes for candidate 1 in term 5: " + sent);
    }
    wipe(storeDir);

    CompletableFuture<Admission.Admit> fence = new CompletableFuture<>();
    try (LogStore store = LogStore.open(LogStoreConfig.defaults(storeDir));
        EventLoopRuntime runtime = runtime(store, (g, voters, mode) -> fence)) {
      RaftGroup group = runtime.startGroup(GROUP, VOTERS, new Ignoring(), FreshStart.REJOIN);
      // Many election timeouts' worth of vote requests: a member that takes part would answer.
      long until = System.nanoTime() + Duration.ofMillis(400).toNanos();
      while (System.nanoTime() < until) {
        runtime.deliver(List.of(request(2)));
        Thread.sleep(5);
      }
      assertEquals(0, answersTo(2).size(), () -> "answered while waiting: " + answersTo(2).get(0));
      assertTrue(group.rejoining(), "still waiting for the fence");

      // Leader 1 committed an entry in term 5 without this replica: it starts there.
      fence.complete(new Admission.Fenced(5, 1, 7));
      askUntilAnswered(runtime, 2);
      assertTrue(!granted(2), "voted for candidate 2 in term 5 after voting for 1: " + sent);
      TestCluster.await(WAIT, () -> !group.rejoining(), () -> "never left the rejoining state");
      assertEquals(5, group.term());
    }
  }

  private EventLoopRuntime runtime(LogStore store, Admission admission) {
    MessageSender sender =
        messages ->
            messages.stream()
                .filter(m -> m instanceof Message.VoteResponse)
                .forEach(m -> sent.add((Message.VoteResponse) m));
    return new EventLoopRuntime(CONFIG, store, sender, RaftObserver.NONE, t -> {}, admission);
  }

  private static Message.VoteRequest request(int candidate) {
    return new Message.VoteRequest(GROUP, candidate, ME, 5, false, 100, 4, false);
  }

  /** Asks again until the replica answers (a restarted voter ignores votes for a while). */
  private void askUntilAnswered(EventLoopRuntime runtime, int candidate) throws Exception {
    TestCluster.await(
        WAIT,
        () -> {
          runtime.deliver(List.of(request(candidate)));
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return !answersTo(candidate).isEmpty();
        },
        () -> "candidate " + candidate + " got no answer: " + sent);
  }

  private List<Message.VoteResponse> answersTo(int candidate) {
    return sent.stream().filter(v -> v.to() == candidate && v.term() == 5).toList();
  }

  private boolean granted(int candidate) {
    return answersTo(candidate).stream().anyMatch(Message.VoteResponse::granted);
  }

  private static void wipe(Path store) throws IOException {
    try (var paths = Files.walk(store)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
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
