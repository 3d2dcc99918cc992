package io.keel.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The configurations in force along the log. A configuration takes effect as soon as its CONFIG
 * entry is in the log (Raft thesis, section 4.1) and is undone if that entry is truncated.
 */
final class MembershipLog {
  private record Change(long index, Membership membership) {}

  private Membership base;
  private long baseIndex;
  // Invariant: indexes increase and all exceed baseIndex.
  private final List<Change> changes = new ArrayList<>();

  MembershipLog(Membership base, long baseIndex) {
    this.base = base;
    this.baseIndex = baseIndex;
  }

  Membership current() {
    return changes.isEmpty() ? base : changes.get(changes.size() - 1).membership();
  }

  /** Index of the latest CONFIG entry, or the snapshot index when there is none after it. */
  long currentIndex() {
    return changes.isEmpty() ? baseIndex : changes.get(changes.size() - 1).index();
  }

  /** The configuration in force at {@code index}. */
  Membership at(long index) {
    Checks.arg(index >= baseIndex, "membership at %s below snapshot %s", index, baseIndex);
    Membership result = base;
    for (Change c : changes) {
      if (c.index() > index) {
        break;
      }
      result = c.membership();
    }
    return result;
  }

  /** Entries were appended at their indexes, replacing any suffix from the first one on. */
  void appended(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).index();
    changes.removeIf(c -> c.index() >= first);
    for (Entry e : entries) {
      if (e.type() == EntryType.CONFIG) {
        changes.add(new Change(e.index(), MembershipCodec.decode(e.data())));
      }
    }
  }

  /** A snapshot replaced the log. */
  void restore(Snapshot snapshot) {
    changes.clear();
    base = snapshot.membership();
    baseIndex = snapshot.index();
  }

  /** The log up to {@code index} was compacted. */
  void compactTo(long index) {
    base = at(index);
    baseIndex = index;
    changes.removeIf(c -> c.index() <= index);
  }
}
