package io.keel.chaos.report;

import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.Phase;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints a progress line every interval: throughput, outcomes, faults so far. */
public final class ProgressReporter implements AutoCloseable {
  private final HistoryRecorder history;
  private final Supplier<String> faults;
  private final PrintStream out;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("chaos-progress").unstarted(r));
  private long lastOk;
  private long lastNanos;

  /**
   * @param faults e.g. "3 faults, now: kill-node: node 2"
   */
  public ProgressReporter(HistoryRecorder history, Supplier<String> faults, PrintStream out) {
    this.history = history;
    this.faults = faults;
    this.out = out;
  }

  public void start(Duration interval) {
    lastNanos = history.clock().nanos();
    timer.scheduleAtFixedRate(
        this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One progress line; public so a run can print a final one. */
  public synchronized String line() {
    long now = history.clock().nanos();
    long ok = history.completed(Phase.OK);
    double rate = (ok - lastOk) / Math.max(1e-9, (now - lastNanos) / 1e9);
    lastOk = ok;
    lastNanos = now;
    return "[%6.1fs] %7.1f ok/s | ok %d fail %d info %d | %s"
        .formatted(
            now / 1e9,
            rate,
            ok,
            history.completed(Phase.FAIL),
            history.completed(Phase.INFO),
            faults.get());
  }

  private void report() {
    out.println(line());
    history.flush();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
