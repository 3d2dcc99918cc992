package io.keel.chaos.nemesis;

import java.time.Duration;

/** Virtual time: sleeping advances the clock instantly. */
final class VirtualPacer implements Pacer {
  private long nanos;
  private boolean stopped;

  @Override
  public long nanos() {
    return nanos;
  }

  @Override
  public boolean sleep(Duration d) {
    nanos += d.toNanos();
    return !stopped;
  }

  @Override
  public void stop() {
    stopped = true;
  }
}
