package io.keel.raft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Committed 1 KiB entries per second through a 3-node in-memory group. {@code batch} entries are
 * proposed per Ready cycle: 1 is "no batching", larger values batch proposals into shared appends,
 * syncs and acknowledgements. Bytes/s = entries/s x 1024.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RaftGroupBenchmark {
  static final int ENTRY_BYTES = 1024;

  @Param({"1", "64", "512"})
  public int batch;

  private InMemoryGroup group;
  private byte[] payload;

  @Setup(Level.Trial)
  public void setUp() {
    group = new InMemoryGroup();
    payload = new byte[ENTRY_BYTES];
  }

  /** One operation = one batch; divide by the batch size for entries/s (see the runner). */
  @Benchmark
  public long proposeAndCommit() {
    long last = 0;
    for (int i = 0; i < batch; i++) {
      last = group.leader().propose(payload);
    }
    group.runUntilApplied(last);
    return group.appliedBytes();
  }
}
