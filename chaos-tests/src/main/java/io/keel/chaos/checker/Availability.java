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
   */
  public record FaultWindow(
      String name,
      String detail,
      double startSeconds,
      double healSeconds,
      double recoverySeconds) {}
}
