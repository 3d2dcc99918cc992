package io.keel.raft;

import java.util.List;

/**
 * One group's durable Raft state: hard state, log and latest snapshot. The core reads through this
 * interface; the component that executes a {@code Ready} writes through it.
 *
 * <p>Contract, checked by {@code RaftStorageContract} against every implementation:
 *
 * <ul>
 *   <li>Writes are staged: they are visible to reads at once but durable only after the node-wide
 *       {@link DurableStore#sync()} returns. A crash loses staged writes, never synced ones, and
 *       never leaves part of one {@link #append} visible.
 *   <li>{@link #append} with entries starting at index {@code i} first removes every entry at
 *       {@code i} or later (a new leader may overwrite an uncommitted suffix), so the log is always
 *       contiguous from {@link #firstIndex()} to {@link #lastIndex()}.
 *   <li>{@link #term(long)} answers for {@code firstIndex() - 1} (the snapshot's term) through
 *       {@link #lastIndex()}; anything else throws {@link LogUnavailableException}.
 * </ul>
 */
public interface RaftStorage {

  /** The persisted hard state; {@link HardState#EMPTY} for a new group. */
  HardState hardState();

  /** The configuration at the latest snapshot, or the bootstrap configuration. */
  Membership snapshotMembership();

  /** Index of the first entry still in the log: the latest snapshot's index + 1. */
  long firstIndex();

  /** Index of the last entry; {@code firstIndex() - 1} when the log is empty. */
  long lastIndex();

  /** Term of the entry at {@code index}. */
  long term(long index);

  /**
   * Entries in {@code [lo, hi)}, stopping before the total of {@link Entry#sizeBytes()} exceeds
   * {@code maxBytes} but always returning at least one entry when {@code lo < hi}.
   */
  List<Entry> entries(long lo, long hi, long maxBytes);

  /** The latest snapshot; index 0 when there is none yet. */
  Snapshot snapshot();

  /** Stages entries, truncating any existing entries at or after the first one's index. */
  void append(List<Entry> entries);

  /** Stages a new hard state. */
  void setHardState(HardState state);

  /** Stages a snapshot, discarding every entry it covers (and the whole log if it is newer). */
  void applySnapshot(Snapshot snapshot);

  /**
   * Stages one Ready's parts as a unit: its hard state and snapshot (each may be null) and its
   * entries. A store shared by several groups must not let another group's sync write one part
   * without the others (a commit index over entries not yet staged, or over the entries they
   * replace), so a concurrent store overrides this to hold its lock across the three.
   */
  default void stageReady(HardState state, Snapshot snapshot, List<Entry> entries) {
    if (state != null) {
      setHardState(state);
    }
    if (snapshot != null) {
      applySnapshot(snapshot);
    }
    if (!entries.isEmpty()) {
      append(entries);
    }
  }

  /**
   * Records {@code snapshot} (taken by the application at an applied index) and discards the log up
   * to {@code snapshot.index()}.
   */
  void compact(Snapshot snapshot);

  /** Thrown when an index is below the compacted prefix or beyond the last entry. */
  final class LogUnavailableException extends RuntimeException {
    public LogUnavailableException(String message) {
      super(message);
    }
  }
}
