package io.keel.chaos.nemesis;

import java.time.Duration;
import java.util.Random;

/**
 * How long the cluster stays healthy between faults and how long each fault is held; each drawn
 * uniformly from [min, max].
 */
public record NemesisTiming(
    Duration quietMin, Duration quietMax, Duration holdMin, Duration holdMax) {
  public NemesisTiming {
    check("quiet", quietMin, quietMax);
    check("hold", holdMin, holdMax);
  }

  public static NemesisTiming defaults() {
    return new NemesisTiming(
        Duration.ofSeconds(3),
        Duration.ofSeconds(8),
        Duration.ofSeconds(5),
        Duration.ofSeconds(15));
  }

  Duration quiet(Random random) {
    return draw(random, quietMin, quietMax);
  }

  Duration hold(Random random) {
    return draw(random, holdMin, holdMax);
  }

  private static Duration draw(Random random, Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span == 0 ? 0 : random.nextLong(span + 1));
  }

  private static void check(String name, Duration min, Duration max) {
    if (min.isNegative()) {
      throw new IllegalArgumentException(name + "Min must be >= 0, got " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException(name + "Max must be >= " + name + "Min, got " + max);
    }
  }
}
