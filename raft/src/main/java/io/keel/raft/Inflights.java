package io.keel.raft;

/**
 * The append requests a leader has sent to one follower and not yet seen acknowledged, bounded by
 * count and by bytes. A ring buffer of (last index, bytes), allocated on first use so idle groups
 * cost nothing.
 */
final class Inflights {
  private final int maxCount;
  private final long maxBytes;
  private long[] lastIndexes;
  private long[] sizes;
  private int start;
  private int count;
  private long bytes;

  Inflights(int maxCount, long maxBytes) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  boolean isFull() {
    return count == maxCount || bytes >= maxBytes;
  }

  int count() {
    return count;
  }

  /** Records a request carrying entries up to {@code lastIndex}; indexes must increase. */
  void add(long lastIndex, long sizeBytes) {
    Checks.state(!isFull(), "inflights full: %s requests, %s bytes", count, bytes);
    if (lastIndexes == null) {
      lastIndexes = new long[maxCount];
      sizes = new long[maxCount];
    }
    int slot = (start + count) % maxCount;
    if (count > 0) {
      long previous = lastIndexes[(start + count - 1) % maxCount];
      Checks.state(lastIndex > previous, "inflight %s not after %s", lastIndex, previous);
    }
    lastIndexes[slot] = lastIndex;
    sizes[slot] = sizeBytes;
    count++;
    bytes += sizeBytes;
  }

  /** Frees every request whose last index is at or below {@code index}. */
  void freeTo(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      bytes -= sizes[start];
      start = (start + 1) % maxCount;
      count--;
    }
    if (count == 0) {
      start = 0;
    }
  }

  /** Frees the oldest request. */
  void freeFirst() {
    if (count > 0) {
      freeTo(lastIndexes[start]);
    }
  }

  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
