package io.keel.chaos.checker;

import java.util.List;

/**
 * How available the cluster was.
 *
 * @param longestWriteGaps per partition, the longest window without an acknowledged send
 * @param faults every fault with the time the first send was acknowledged after its heal
 */
public record Availability(List<WriteGap> longestWriteGaps, List<FaultWindow> faults) {
  public Availability {
    longestWriteGaps = List.copyOf(longestWriteGaps);
    faults = List.copyOf(faults);
  }

  /** Times in seconds since the run started. */
  public record WriteGap(int partition, double fromSeconds, double toSeconds) {
    public double seconds() {
      return toSeconds - fromSeconds;
    }
  }

  /**
   * Times in seconds since the run started; heal is NaN when the fault was never healed and
   * recoverySeconds (heal to first acknowledged send) is NaN when no send succeeded afterwards.
   * stallSeconds is what clients saw of the fault: from its start until every partition that had an
   * acknowledged send in the {@link #ACTIVE_WINDOW_SECONDS} before it has one again (so the
   * partitions the fault hit, as the others answer at once); NaN if one never did. sinceHealSeconds
   * is the time since the previous fault was healed (infinite for the first): a killed node is
   * restarted at its heal but may take seconds to start on a loaded machine, and a fault shortly
   * after then hits a cluster that is still missing a node. backSeconds is from the heal's end (for
   * kill-two: the nodes are back and ready) until every partition the fault stopped (written just
   * before it, no ack until the heal) has an ack again: 0 if it stopped none, NaN if one never
   * recovered or the fault was never healed. nonRetriableErrors counts client operations that
   * ended, between the fault's start and its heal, with an error the client does not class as
   * retriable (a rolling restart must cause none).
   */
  public record FaultWindow(
      String name,
      String detail,
      double startSeconds,
      double healSeconds,
      double recoverySeconds,
      double stallSeconds,
      double backSeconds,
      long nonRetriableErrors,
      double sinceHealSeconds) {}

  /** A restarted node is given this long to start before a later fault's stall counts. */
  public static final double SETTLED_SECONDS = 15;

  /** A partition counts as written at a fault's start if it had an ack this long before. */
  public static final double ACTIVE_WINDOW_SECONDS = 2.0;

  /** Stall percentiles of the faults of one name (nearest rank); never-recovered count as +inf. */
  public record StallStats(String name, int count, double p50, double p99, double max) {}

  /**
   * Stall statistics per fault name, in name order, over the faults that started at least {@code
   * settledSeconds} after the previous heal.
   */
  public List<StallStats> stallsByFault(double settledSeconds) {
    return statsByFault(settledSeconds, FaultWindow::stallSeconds);
  }

  /** Like {@link #stallsByFault} for {@link FaultWindow#backSeconds} (heal to the next ack). */
  public List<StallStats> backToAckByFault(double settledSeconds) {
    return statsByFault(settledSeconds, FaultWindow::backSeconds);
  }

  private List<StallStats> statsByFault(
      double settledSeconds, java.util.function.ToDoubleFunction<FaultWindow> measure) {
    java.util.Map<String, List<Double>> byName = new java.util.TreeMap<>();
    for (FaultWindow f : faults) {
      if (f.sinceHealSeconds() < settledSeconds) {
        continue;
      }
      double value = measure.applyAsDouble(f);
      byName
          .computeIfAbsent(f.name(), n -> new java.util.ArrayList<>())
          .add(Double.isNaN(value) ? Double.POSITIVE_INFINITY : value);
    }
    List<StallStats> out = new java.util.ArrayList<>();
    byName.forEach(
        (name, values) -> {
          List<Double> sorted = values.stream().sorted().toList();
          out.add(
              new StallStats(
                  name,
                  sorted.size(),
                  rank(sorted, 0.50),
                  rank(sorted, 0.99),
                  sorted.get(sorted.size() - 1)));
        });
    return out;
  }

  private static double rank(List<Double> sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.size()) - 1;
    return sorted.get(Math.clamp(index, 0, sorted.size() - 1));
  }
}
