package io.keel.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The newest entries storage already holds, kept in memory so that applying them and replicating
 * them does not read back what this node wrote a moment ago. Holds a contiguous run of indexes
 * ending at the log's stable end, at most {@code capacityBytes} of it (the oldest go first), and
 * drops entries once nothing needs them ({@link #releaseThrough}).
 */
final class EntryCache {
  private final long capacityBytes;
  // entries.get(head + k).index() == first + k for 0 <= k < size(); entries before head are dead.
  private final ArrayList<Entry> entries = new ArrayList<>();
  private int head;
  private long first;
  private long bytes;

  EntryCache(long capacityBytes) {
    Checks.arg(capacityBytes >= 0, "capacityBytes must be >= 0, was %s", capacityBytes);
    this.capacityBytes = capacityBytes;
  }

  boolean isEmpty() {
    return head == entries.size();
  }

  /** The first index held; meaningful only when not empty. */
  long firstIndex() {
    return first;
  }

  /** One past the last index held; meaningful only when not empty. */
  long endIndex() {
    return first + (entries.size() - head);
  }

  long bytes() {
    return bytes;
  }

  /** The entry at {@code index}, which must be held. */
  Entry get(long index) {
    // Not Checks.state: its varargs would allocate for every entry read.
    if (!holds(index)) {
      throw new IllegalStateException(
          "entry "
              + index
              + " not cached (cache holds "
              + (isEmpty() ? "nothing" : "[" + first + ", " + endIndex() + ")")
              + ")");
    }
    return entries.get(head + (int) (index - first));
  }

  boolean holds(long index) {
    return !isEmpty() && index >= first && index < endIndex();
  }

  /** Adds entries that follow what is held (anything held from their first index on is dropped). */
  void append(List<Entry> added) {
    if (added.isEmpty() || capacityBytes == 0) {
      return;
    }
    long start = added.get(0).index();
    if (isEmpty() || start < first || start > endIndex()) {
      clear();
      first = start;
    } else {
      truncateFrom(start);
    }
    for (Entry e : added) {
      if (e.index() != endIndex()) {
        throw new IllegalStateException(
            "cached entry " + e.index() + " does not follow " + (endIndex() - 1));
      }
      entries.add(e);
      bytes += e.sizeBytes();
    }
    while (bytes > capacityBytes && !isEmpty()) {
      dropHead();
    }
    compactIfSparse();
  }

  /** Drops the entries at and after {@code index}. */
  void truncateFrom(long index) {
    if (isEmpty() || index >= endIndex()) {
      return;
    }
    if (index <= first) {
      clear();
      return;
    }
    for (int i = entries.size() - 1; i >= head + (int) (index - first); i--) {
      bytes -= entries.remove(i).sizeBytes();
    }
  }

  /** Drops the entries up to and including {@code index}: applied and replicated everywhere. */
  void releaseThrough(long index) {
    while (!isEmpty() && first <= index) {
      dropHead();
    }
    compactIfSparse();
  }

  void clear() {
    entries.clear();
    head = 0;
    bytes = 0;
  }

  private void dropHead() {
    bytes -= entries.set(head, null).sizeBytes();
    head++;
    first++;
    if (isEmpty()) {
      clear();
    }
  }

  private void compactIfSparse() {
    if (head > 64 && head > entries.size() / 2) {
      entries.subList(0, head).clear();
      head = 0;
    }
  }
}
