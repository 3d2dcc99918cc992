package io.keel.chaos.net;

import java.time.Duration;

/**
 * Impairment of every link: a fixed extra delay and a packet loss probability.
 *
 * @param lossPercent 0 to 100
 */
public record Degradation(Duration delay, double lossPercent) {
  public Degradation {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, got " + delay);
    }
    if (lossPercent < 0 || lossPercent > 100) {
      throw new IllegalArgumentException("lossPercent must be in [0, 100], got " + lossPercent);
    }
  }
}
