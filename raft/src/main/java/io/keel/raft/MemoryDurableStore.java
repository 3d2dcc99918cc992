package io.keel.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory {@link DurableStore} that models durability: writes are staged until {@link
 * #sync()}, and {@link #crash()} returns every group to its last synced state, as power loss would.
 * Used by the simulator and by tests of components above Raft.
 */
public final class MemoryDurableStore implements DurableStore {
  private final Map<Long, MemoryRaftStorage> groups = new HashMap<>();
  private long syncCount;

  @Override
  public MemoryRaftStorage group(long groupId) {
    return groups.computeIfAbsent(groupId, id -> new MemoryRaftStorage());
  }

  @Override
  public void sync() {
    for (MemoryRaftStorage storage : groups.values()) {
      storage.sync();
    }
    syncCount++;
  }

  @Override
  public void dropGroup(long groupId) {
    groups.remove(groupId);
  }

  /** Forgets every write not yet synced, in every group. Dropped groups stay dropped. */
  public void crash() {
    for (MemoryRaftStorage storage : groups.values()) {
      storage.crash();
    }
  }

  /** How many times {@link #sync()} ran; tests use it to prove a sync happened. */
  public long syncCount() {
    return syncCount;
  }

  @Override
  public void close() {}

  /** One group's log, hard state and snapshot, each with a staged and a synced version. */
  public static final class MemoryRaftStorage implements RaftStorage {
    private static final Snapshot EMPTY_SNAPSHOT =
        new Snapshot(0, 0, new Membership(Set.of(), Set.of()), new byte[0]);

    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot = EMPTY_SNAPSHOT;
    // Invariant: entries.get(k).index() == snapshot.index() + 1 + k.
    private ArrayList<Entry> entries = new ArrayList<>();

    private HardState syncedHardState = HardState.EMPTY;
    private Snapshot syncedSnapshot = EMPTY_SNAPSHOT;
    private ArrayList<Entry> syncedEntries = new ArrayList<>();
    // Lowest log position (0-based into entries) changed since the last sync.
    private int dirtyFrom = Integer.MAX_VALUE;
    private boolean snapshotDirty;

    @Override
    public HardState hardState() {
      return hardState;
    }

    @Override
    public Membership snapshotMembership() {
      return snapshot.membership();
    }

    @Override
    public long firstIndex() {
      return snapshot.index() + 1;
    }

    @Override
    public long lastIndex() {
      return snapshot.index() + entries.size();
    }

    @Override
    public long term(long index) {
      if (index == snapshot.index()) {
        return snapshot.term();
      }
      checkAvailable(index, index + 1);
      return entries.get(position(index)).term();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
      Checks.arg(lo <= hi, "entries: lo %s > hi %s", lo, hi);
      if (lo == hi) {
        return List.of();
      }
      checkAvailable(lo, hi);
      List<Entry> out = new ArrayList<>();
      long bytes = 0;
      for (long i = lo; i < hi; i++) {
        Entry e = entries.get(position(i));
        bytes += e.sizeBytes();
        if (!out.isEmpty() && bytes > maxBytes) {
          break;
        }
        out.add(e);
      }
      return out;
    }

    @Override
    public Snapshot snapshot() {
      return snapshot;
    }

    @Override
    public void append(List<Entry> newEntries) {
      if (newEntries.isEmpty()) {
        return;
      }
      long first = newEntries.get(0).index();
      Checks.arg(
          first >= firstIndex() && first <= lastIndex() + 1,
          "append at %s leaves a gap or rewrites the snapshot: log is [%s, %s]",
          first,
          firstIndex(),
          lastIndex());
      for (int k = 1; k < newEntries.size(); k++) {
        Checks.arg(
            newEntries.get(k).index() == first + k,
            "append: entry %s has index %s, expected %s",
            k,
            newEntries.get(k).index(),
            first + k);
      }
      int pos = position(first);
      entries.subList(pos, entries.size()).clear();
      entries.addAll(newEntries);
      dirtyFrom = Math.min(dirtyFrom, pos);
    }

    @Override
    public void setHardState(HardState state) {
      hardState = state;
    }

    @Override
    public void applySnapshot(Snapshot newSnapshot) {
      long index = newSnapshot.index();
      boolean keepsSuffix =
          index >= snapshot.index() && index <= lastIndex() && term(index) == newSnapshot.term();
      if (keepsSuffix) {
        entries.subList(0, position(index + 1)).clear();
      } else {
        entries = new ArrayList<>();
      }
      snapshot = newSnapshot;
      snapshotDirty = true;
      dirtyFrom = 0;
    }

    @Override
    public void compact(Snapshot newSnapshot) {
      long index = newSnapshot.index();
      Checks.arg(
          index >= snapshot.index() && index <= lastIndex(),
          "compact at %s outside the log [%s, %s]",
          index,
          snapshot.index(),
          lastIndex());
      Checks.arg(
          term(index) == newSnapshot.term(),
          "compact at %s: snapshot term %s but log term %s",
          index,
          newSnapshot.term(),
          term(index));
      entries.subList(0, position(index + 1)).clear();
      snapshot = newSnapshot;
      snapshotDirty = true;
      dirtyFrom = 0;
    }

    void sync() {
      syncedHardState = hardState;
      if (snapshotDirty) {
        syncedSnapshot = snapshot;
        syncedEntries = new ArrayList<>(entries);
      } else if (dirtyFrom != Integer.MAX_VALUE) {
        int from = Math.min(dirtyFrom, syncedEntries.size());
        syncedEntries.subList(from, syncedEntries.size()).clear();
        syncedEntries.addAll(entries.subList(from, entries.size()));
      }
      snapshotDirty = false;
      dirtyFrom = Integer.MAX_VALUE;
    }

    void crash() {
      hardState = syncedHardState;
      snapshot = syncedSnapshot;
      entries = new ArrayList<>(syncedEntries);
      snapshotDirty = false;
      dirtyFrom = Integer.MAX_VALUE;
    }

    private int position(long index) {
      return (int) (index - snapshot.index() - 1);
    }

    private void checkAvailable(long lo, long hi) {
      if (lo < firstIndex() || hi > lastIndex() + 1) {
        throw new LogUnavailableException(
            "entries ["
                + lo
                + ", "
                + hi
                + ") outside the log ["
                + firstIndex()
                + ", "
                + lastIndex()
                + "] (snapshot at "
                + snapshot.index()
                + ")");
      }
    }
  }
}
