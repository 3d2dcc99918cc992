package io.keel.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution recorded from many threads: {@link Recorder} hands out interval histograms
 * for the per-second progress line while the total accumulates for the summary.
 */
final class LatencyStats {
  private static final long MAX_TRACKABLE_MICROS = TimeUnit.MINUTES.toMicros(5);

  private final Recorder recorder = new Recorder(MAX_TRACKABLE_MICROS, 3);
  private final Histogram total = new Histogram(MAX_TRACKABLE_MICROS, 3);
  private Histogram interval;

  void recordNanos(long nanos) {
    recorder.recordValue(Math.min(MAX_TRACKABLE_MICROS, Math.max(0, nanos / 1_000)));
  }

  /** Takes the last interval's histogram and adds it to the total when {@code counting}. */
  synchronized Histogram sampleInterval(boolean counting) {
    interval = recorder.getIntervalHistogram(interval);
    if (counting) {
      total.add(interval);
    }
    return interval;
  }

  synchronized Percentiles total() {
    return Percentiles.of(total);
  }

  /** Latency percentiles in milliseconds. */
  record Percentiles(
      long count, double p50, double p95, double p99, double p999, double max, double mean) {
    static Percentiles of(Histogram h) {
      return new Percentiles(
          h.getTotalCount(),
          ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(95)),
          ms(h.getValueAtPercentile(99)),
          ms(h.getValueAtPercentile(99.9)),
          ms(h.getMaxValue()),
          h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }
}
