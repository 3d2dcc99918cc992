package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Membership;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers racing a writer that appends and compacts (retention): every read returns whole, correct,
 * contiguous batches or an OffsetOutOfRangeException, never anything else.
 */
class ConcurrentReadTest {
  private static final long GROUP = 9;
  private static final int BATCHES = 3000;
  private static final int READERS = 2;

  @TempDir Path dir;

  @Test
  void readsRacingAppendsAndCompactionSeeOnlyWholeBatches() throws Exception {
    long seed = Long.getLong("keel.seed", System.nanoTime());
    System.out.printf(
        "ConcurrentReadTest seed=%d; replay: ./mvnw -B -pl log-store test"
            + " -Dtest=ConcurrentReadTest -Dkeel.seed=%d%n",
        seed, seed);
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    try (LogStore store = LogStore.open(Fixtures.smallSegments(dir, 4096))) {
      RaftStorage s = store.group(GROUP);
      PartitionLog p = store.partitionLog(GROUP);
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        SplittableRandom random = new SplittableRandom(seed + r);
        Thread t = new Thread(() -> readUntilDone(p, random, done, reads, failures));
        readers.add(t);
        t.start();
      }
      try {
        write(s, p);
      } finally {
        done.set(true);
        for (Thread t : readers) {
          t.join();
        }
      }
      assertEquals(List.of(), failures);
      assertTrue(reads.get() > 0, "readers never read");
      assertTrue(p.logStartOffset() > 0, "retention never ran");
    }
  }

  private static void write(RaftStorage s, PartitionLog p) {
    Membership members = Membership.ofVoters(java.util.Set.of(1));
    for (int i = 0; i < BATCHES; i++) {
      s.append(List.of(envelope(1, i + 1, i, 1, i, 64 + i % 200)));
      if (i % 100 == 99) {
        RetentionResult r = p.applyRetention(0, RetentionPolicy.ofBytes(20_000), s.lastIndex());
        if (r.hasWork()) {
          s.compact(new Snapshot(r.compactUpToIndex(), 1, members, new byte[0]));
        }
      }
    }
  }

  private static void readUntilDone(
      PartitionLog p,
      SplittableRandom random,
      AtomicBoolean done,
      AtomicLong reads,
      List<Throwable> failures) {
    try {
      while (!done.get()) {
        long start = p.logStartOffset();
        long next = p.nextOffset();
        long from = start + (next > start ? random.nextLong(next - start) : 0);
        try {
          List<StoredBatch> got = p.read(from, Long.MAX_VALUE, random.nextInt(1, 4096));
          check(from, got);
          reads.incrementAndGet();
        } catch (OffsetOutOfRangeException e) {
          // Retention moved the start past `from` between choosing it and reading: allowed.
        }
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  private static void check(long from, List<StoredBatch> got) {
    long expected = from;
    for (StoredBatch b : got) {
      assertEquals(expected, b.baseOffset());
      assertArrayEquals(
          Fixtures.batchBytes(b.baseOffset(), 64 + (int) (b.baseOffset() % 200)), b.batchBytes());
      expected = b.nextOffset();
    }
  }
}
