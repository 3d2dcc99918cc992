package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.RaftStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random points: a child JVM appends with fsync always and reports each synced index;
 * the parent kills it ({@code destroyForcibly}, SIGKILL), reopens the store and checks that every
 * acknowledged batch is present and intact and that nothing after it is half-visible. Several kills
 * per run, bounded by {@link #BUDGET}.
 *
 * <p>This tests a process crash of a real separate process (RocksDB's files left as a dying process
 * leaves them, its synced-sequence marker included), not power loss: a SIGKILL keeps the page
 * cache, so this test passes with fsync off too and cannot show that {@code sync()} fsyncs. {@link
 * PowerLossLoopTest} is the test that depends on the fsync (it fails when it is skipped).
 */
@Timeout(120)
class KillNineTest {
  private static final Duration BUDGET = Duration.ofSeconds(15);
  private static final int ROUNDS_MIN = 3;
  private static final int ROUNDS_MAX = 8;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedBatchSurvivesKillNine() throws Exception {
    long seed = Long.getLong("keel.seed", System.nanoTime());
    System.out.printf(
        "KillNineTest seed=%d; replay: ./mvnw -B -pl log-store test -Dtest=KillNineTest"
            + " -Dkeel.seed=%d%n",
        seed, seed);
    SplittableRandom random = new SplittableRandom(seed);
    long deadline = System.nanoTime() + BUDGET.toNanos();
    long acked = 0;
    int rounds = 0;
    // At least ROUNDS_MIN kills whatever the machine's load; more while the budget lasts.
    while (rounds < ROUNDS_MIN || (rounds < ROUNDS_MAX && System.nanoTime() < deadline)) {
      acked = Math.max(acked, runAndKill(random, acked));
      rounds++;
      verify(acked);
    }
    System.out.printf("KillNineTest: %d kills, %d entries acknowledged%n", rounds, acked);
    assertTrue(acked > 0, "the child never acknowledged a sync");
  }

  /** Starts the child, kills it after a random number of acks; returns the last one it saw. */
  private long runAndKill(SplittableRandom random, long ackedBefore) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                CrashingAppender.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int killAfterAcks = random.nextInt(1, 200);
    long last = ackedBefore;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = out.readLine();
      assertTrue(ready != null && ready.startsWith("READY "), "child said: " + ready);
      long start = Long.parseLong(ready.substring(6));
      assertTrue(start >= ackedBefore, "child resumed at " + start + " below ack " + ackedBefore);
      for (int acks = 0; acks < killAfterAcks; acks++) {
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("ACK "), "child said: " + line);
        last = Long.parseLong(line.substring(4));
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
    }
    return last;
  }

  private void verify(long acked) {
    try (LogStore store = LogStore.open(Fixtures.config(dir))) {
      for (long g : CrashingAppender.GROUPS) {
        RaftStorage s = store.group(g);
        long last = s.lastIndex();
        assertTrue(last >= acked, "group " + g + " lost acked index " + acked + ": last " + last);
        checkEntries(s, last);
        PartitionLog p = store.partitionLog(g);
        assertEquals(last, p.nextOffset(), "group " + g);
        List<StoredBatch> batches = readAll(p, last);
        assertEquals(last, batches.size(), "group " + g);
        for (StoredBatch b : batches) {
          long o = b.baseOffset();
          assertArrayEquals(Fixtures.batchBytes(o, CrashingAppender.sizeOf(o)), b.batchBytes());
        }
      }
    }
  }

  private static void checkEntries(RaftStorage s, long last) {
    long next = 1;
    while (next <= last) {
      for (Entry e : s.entries(next, last + 1, 4 << 20)) {
        assertEquals(next, e.index());
        assertArrayEquals(CrashingAppender.entry(next).data(), e.data(), "entry " + next);
        next++;
      }
    }
  }

  private static List<StoredBatch> readAll(PartitionLog p, long last) {
    List<StoredBatch> all = new ArrayList<>();
    long offset = 0;
    while (offset < last) {
      List<StoredBatch> got = p.read(offset, Long.MAX_VALUE, 4 << 20);
      all.addAll(got);
      offset = got.get(got.size() - 1).nextOffset();
    }
    return all;
  }
}
