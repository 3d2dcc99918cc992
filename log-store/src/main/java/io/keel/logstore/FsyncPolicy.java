package io.keel.logstore;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * When {@link LogStore#sync()} makes staged writes durable against power loss.
 *
 * <p>Every policy survives a process crash once {@code sync()} returns: each staged write has been
 * handed to the operating system (RocksDB writes its WAL with {@code write(2)} on every batch). The
 * policies differ in when the WAL is fsynced.
 */
public sealed interface FsyncPolicy {

  /** {@code sync()} fsyncs the WAL before returning; concurrent callers share one fsync. */
  record Always() implements FsyncPolicy {}

  /** A background thread fsyncs the WAL every {@code period}; {@code sync()} returns at once. */
  record Interval(Duration period) implements FsyncPolicy {
    public Interval {
      Checks.arg(period != null, "fsync interval period is null");
      Checks.arg(
          !period.isNegative() && !period.isZero(), "fsync interval must be > 0, was %s", period);
    }
  }

  /** The WAL is never fsynced explicitly; the operating system writes it back when it likes. */
  record Never() implements FsyncPolicy {}

  static FsyncPolicy always() {
    return new Always();
  }

  static FsyncPolicy interval(Duration period) {
    return new Interval(period);
  }

  static FsyncPolicy never() {
    return new Never();
  }
}
