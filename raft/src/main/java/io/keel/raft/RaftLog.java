package io.keel.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of the log: the entries and snapshot already handed to storage, plus an unstable
 * tail (and possibly a snapshot) not yet handed out in a {@link Ready}. Tracks the commit and
 * applied indexes. The newest stable entries stay in an {@link EntryCache} until applied and
 * replicated, so neither reads them back from storage.
 */
final class RaftLog {
  /** Returned by {@link #term} for an index that is compacted away or beyond the last entry. */
  static final long UNAVAILABLE = -1;

  private final RaftStorage storage;
  private Snapshot unstableSnapshot;
  // Invariant: unstable.get(k).index() == unstableOffset + k.
  private long unstableOffset;
  private final ArrayList<Entry> unstable = new ArrayList<>();
  // Invariant: empty, or holds stable entries ending at unstableOffset - 1.
  private final EntryCache cache;
  // Invariant: applied <= committed <= lastIndex().
  private long committed;
  private long applied;

  /**
   * Starts from what storage holds. The persisted commit index is not trusted: a crash between the
   * parts of one Ready can leave it durable while the entries it covered are not (the log then
   * holds older, different entries at those indexes). Only the snapshot is known committed;
   * everything after it commits again once the leader's log confirms it.
   */
  RaftLog(RaftStorage storage, long cacheBytes) {
    this.storage = storage;
    this.cache = new EntryCache(cacheBytes);
    this.unstableOffset = storage.lastIndex() + 1;
    this.applied = storage.firstIndex() - 1;
    this.committed = applied;
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  long firstIndex() {
    return unstableSnapshot != null ? unstableSnapshot.index() + 1 : storage.firstIndex();
  }

  long lastIndex() {
    if (!unstable.isEmpty()) {
      return unstableOffset + unstable.size() - 1;
    }
    return unstableSnapshot != null ? unstableSnapshot.index() : storage.lastIndex();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** The latest snapshot, staged or not. */
  Snapshot snapshot() {
    return unstableSnapshot != null ? unstableSnapshot : storage.snapshot();
  }

  /** The term at {@code index}, or {@link #UNAVAILABLE}. */
  long term(long index) {
    if (index >= unstableOffset && index - unstableOffset < unstable.size()) {
      return unstable.get((int) (index - unstableOffset)).term();
    }
    if (index > lastIndex() || index < firstIndex() - 1) {
      return UNAVAILABLE;
    }
    if (unstableSnapshot != null) {
      return index == unstableSnapshot.index() ? unstableSnapshot.term() : UNAVAILABLE;
    }
    return cache.holds(index) ? cache.get(index).term() : storage.term(index);
  }

  boolean matchTerm(long index, long term) {
    long actual = term(index);
    return actual != UNAVAILABLE && actual == term;
  }

  /** Whether a log ending at {@code (index, term)} is at least as up to date as this one. */
  boolean isUpToDate(long index, long term) {
    long myTerm = lastTerm();
    return term > myTerm || (term == myTerm && index >= lastIndex());
  }

  /** Entries in {@code [lo, hi)} up to about {@code maxBytes} (at least one if lo < hi). */
  List<Entry> entries(long lo, long hi, long maxBytes) {
    Checks.state(
        lo >= firstIndex() && hi <= lastIndex() + 1 && lo <= hi,
        "entries [%s, %s) outside log [%s, %s]",
        lo,
        hi,
        firstIndex(),
        lastIndex());
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    long inMemory = cache.isEmpty() ? unstableOffset : cache.firstIndex();
    if (lo < inMemory) {
      List<Entry> stored = storage.entries(lo, Math.min(hi, inMemory), maxBytes);
      for (Entry e : stored) {
        bytes += e.sizeBytes();
      }
      out.addAll(stored);
      if (lo + stored.size() < Math.min(hi, inMemory)) {
        return out;
      }
    }
    for (long i = Math.max(lo, inMemory); i < hi; i++) {
      Entry e = i < unstableOffset ? cache.get(i) : unstable.get((int) (i - unstableOffset));
      bytes += e.sizeBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** Appends entries, truncating any suffix at or after the first one's index. */
  void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).index();
    Checks.state(
        first > committed, "append at %s would overwrite committed entry %s", first, committed);
    Checks.state(
        first <= lastIndex() + 1, "append at %s leaves a gap after %s", first, lastIndex());
    if (first == unstableOffset + unstable.size()) {
      unstable.addAll(entries);
    } else if (first <= unstableOffset) {
      cache.truncateFrom(first);
      unstable.clear();
      unstable.addAll(entries);
      unstableOffset = first;
    } else {
      unstable.subList((int) (first - unstableOffset), unstable.size()).clear();
      unstable.addAll(entries);
    }
  }

  void append(Entry entry) {
    Checks.state(
        entry.index() == lastIndex() + 1,
        "entry %s does not follow %s",
        entry.index(),
        lastIndex());
    if (unstable.isEmpty()) {
      unstableOffset = entry.index();
    }
    unstable.add(entry);
  }

  /**
   * Appends the entries of an append request that follows {@code (prevIndex, prevTerm)}, skipping
   * those already present. Returns the entries actually appended, or null if the log does not
   * contain {@code (prevIndex, prevTerm)}.
   */
  List<Entry> maybeAppend(long prevIndex, long prevTerm, List<Entry> entries) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return null;
    }
    for (int k = 0; k < entries.size(); k++) {
      Entry e = entries.get(k);
      if (!matchTerm(e.index(), e.term())) {
        List<Entry> fresh = entries.subList(k, entries.size());
        append(fresh);
        return fresh;
      }
    }
    return List.of();
  }

  void commitTo(long index) {
    if (index > committed) {
      Checks.state(index <= lastIndex(), "commit %s beyond last index %s", index, lastIndex());
      committed = index;
    }
  }

  /**
   * Largest index at or below {@code index} whose term is at most {@code term}, or {@code
   * firstIndex() - 1} if the compacted prefix hides it. Terms never decrease along the log, so this
   * is a binary search.
   */
  long findConflictByTerm(long index, long term) {
    long lo = firstIndex() - 1;
    long hi = Math.min(index, lastIndex());
    if (hi < lo) {
      return lo;
    }
    if (term(lo) > term) {
      return lo;
    }
    while (lo < hi) {
      long mid = lo + (hi - lo + 1) / 2;
      if (term(mid) <= term) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Installs a snapshot that replaces the whole log. */
  void restore(Snapshot snapshot) {
    Checks.state(
        snapshot.index() > committed,
        "restoring snapshot %s at or below commit %s",
        snapshot.index(),
        committed);
    unstableSnapshot = snapshot;
    unstable.clear();
    cache.clear();
    unstableOffset = snapshot.index() + 1;
    committed = snapshot.index();
  }

  boolean hasUnstable() {
    return unstableSnapshot != null || !unstable.isEmpty();
  }

  List<Entry> unstableEntries() {
    return List.copyOf(unstable);
  }

  Snapshot unstableSnapshot() {
    return unstableSnapshot;
  }

  boolean hasNextCommitted() {
    return committed > applied;
  }

  /** Committed entries not yet handed out for applying, up to about {@code maxBytes}. */
  List<Entry> nextCommitted(long maxBytes) {
    long lo = Math.max(applied + 1, firstIndex());
    if (committed < lo) {
      return List.of();
    }
    return entries(lo, committed + 1, maxBytes);
  }

  /**
   * The caller persisted everything handed out in a Ready: storage now holds it. Returns the index
   * after which storage kept entries this view did not expect, or -1.
   *
   * <p>Storage keeps its entries after a snapshot it already held at the snapshot's (index, term).
   * This view may not have expected them: an append earlier in the same Ready had truncated them in
   * memory only, before the snapshot replaced the whole unstable part. Those entries follow the
   * snapshot in a log some leader wrote, so they are a valid uncommitted suffix, and the view
   * adopts them rather than disagreeing with storage.
   */
  long stableAll() {
    long expectedLast = lastIndex();
    boolean snapshotAlone = unstableSnapshot != null && unstable.isEmpty();
    if (unstableSnapshot != null) {
      cache.clear();
    }
    cache.append(unstable);
    unstable.clear();
    unstableSnapshot = null;
    unstableOffset = storage.lastIndex() + 1;
    if (snapshotAlone && storage.lastIndex() > expectedLast) {
      return expectedLast;
    }
    Checks.state(
        storage.lastIndex() == expectedLast,
        "storage last index %s after persisting, expected %s",
        storage.lastIndex(),
        expectedLast);
    Checks.state(
        cache.isEmpty() || cache.endIndex() == unstableOffset,
        "entry cache ends at %s, stable log at %s",
        cache.endIndex() - 1,
        unstableOffset - 1);
    return -1;
  }

  /** Entries up to {@code index} are applied and on every replica that needs them from here. */
  void releaseCachedThrough(long index) {
    cache.releaseThrough(Math.min(index, applied));
  }

  long cachedBytes() {
    return cache.bytes();
  }

  void appliedTo(long index) {
    Checks.state(index <= committed, "applied %s beyond commit %s", index, committed);
    applied = Math.max(applied, index);
  }
}
