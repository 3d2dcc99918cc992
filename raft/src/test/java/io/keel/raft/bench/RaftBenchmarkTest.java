package io.keel.raft.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link RaftGroupBenchmark} under JMH. Off by default; run with {@code ./mvnw -B -pl raft
 * test -Dtest=RaftBenchmarkTest -Dkeel.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "keel.bench", matches = "true")
class RaftBenchmarkTest {

  /**
   * Entries per second of this thread's CPU time, so the figure is meaningful on a shared, loaded
   * machine where wall-clock throughput is not.
   */
  @Test
  void committedEntriesPerCpuSecond() {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    byte[] payload = new byte[RaftGroupBenchmark.ENTRY_BYTES];
    for (int batch : new int[] {1, 64, 512}) {
      InMemoryGroup group = new InMemoryGroup();
      long entries = batch == 1 ? 200_000 : 2_000_000;
      for (int round = 0; round < 2; round++) {
        long start = cpu.getCurrentThreadCpuTime();
        for (long done = 0; done < entries; done += batch) {
          long last = 0;
          for (int i = 0; i < batch; i++) {
            last = group.leader().propose(payload);
          }
          group.runUntilApplied(last);
        }
        double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
        if (round == 1) {
          System.out.printf(
              "cpu-normalised batch=%4d: %,12.0f committed entries/s  %,8.1f MiB/s%n",
              batch, entries / seconds, entries * 1024.0 / seconds / (1 << 20));
        }
      }
    }
  }

  @Test
  void committedEntriesPerSecond() throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(RaftGroupBenchmark.class.getName())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(2))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(2))
            .jvmArgsAppend("-Xmx1g")
            .build();
    Collection<RunResult> results = new Runner(options).run();
    for (RunResult r : results) {
      int batch = Integer.parseInt(r.getParams().getParam("batch"));
      double batches = r.getPrimaryResult().getScore();
      double entries = batches * batch;
      System.out.printf(
          "batch=%4d: %,12.0f committed entries/s  %,8.1f MiB/s (1 KiB entries)%n",
          batch, entries, entries * RaftGroupBenchmark.ENTRY_BYTES / (1 << 20));
    }
  }
}
