package io.keel.logstore;

import io.keel.raft.HardState;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a group's segment files: cheap checks of the synced part, a verification of the unsynced
 * tail only, never a scan of the whole log.
 *
 * <ul>
 *   <li>Every segment's file exists; its last synced frame (at or below {@code SYNCED_INDEX}) lies
 *       within the file and passes its CRC. Otherwise the open fails with {@link
 *       StoreDamagedException} naming the file, the group and the index.
 *   <li>Each entry after {@code SYNCED_INDEX} is verified; from the first whose frame is missing,
 *       short or fails its CRC, the entries are dropped (a write that never reached the disk), and
 *       a commit index over them is lowered to the last entry kept: those entries were never
 *       synced, so this replica never acknowledged them.
 *   <li>The last file is cut after the last indexed frame, and files no segment points to (a crash
 *       between a segment's removal and its file's deletion) are deleted.
 * </ul>
 */
final class SegmentRecovery {
  private static final Logger log = LoggerFactory.getLogger(SegmentRecovery.class);

  private final GroupLog g;

  SegmentRecovery(GroupLog g) {
    this.g = g;
  }

  void run() {
    checkSyncedPart();
    long synced = g.syncedIndex();
    long from = Math.max(synced, g.storedFirstIndex() - 1) + 1;
    long last = g.storedLastIndex();
    boolean unsynced = from <= last;
    if (unsynced) {
      dropFromFirstBad(from);
    }
    boolean cut = cutTail();
    if (unsynced || cut) {
      try (WriteBatch wb = new WriteBatch()) {
        for (SegmentMeta s : g.segmentTable().values()) {
          g.files.get(s.fileId()).force();
        }
        g.files.forceDir();
        g.putSyncedIndex(wb, g.storedLastIndex());
        g.rocks.write(wb, "record the synced index of group " + g.groupId);
        g.rocks.syncWal();
      } catch (RocksDBException e) {
        throw Rocks.error(g.rocks.dir, "recover group " + g.groupId, e);
      }
    }
    deleteOrphans();
  }

  /** One stat and one frame read per segment: files that are missing or were cut refuse. */
  private void checkSyncedPart() {
    long synced = g.syncedIndex();
    for (SegmentMeta s : g.segmentTable().values()) {
      if (!g.files.exists(s.fileId())) {
        throw new StoreDamagedException(
            "segment file "
                + g.files.path(s.fileId())
                + " of group "
                + g.groupId
                + " is missing; it holds raft indexes "
                + s.firstIndex()
                + ".."
                + s.lastIndex());
      }
      long index = Math.min(s.lastIndex(), synced);
      if (index < s.firstIndex()) {
        continue;
      }
      LogPointer p = g.pointer(index);
      long size = g.files.get(p.fileId()).size();
      if (size < p.end()) {
        throw new StoreDamagedException(
            "segment file "
                + g.files.path(p.fileId())
                + " of group "
                + g.groupId
                + " has "
                + size
                + " bytes, but synced raft index "
                + index
                + " ends at byte "
                + p.end()
                + ": the file was cut");
      }
      GroupLog.FrameRead r = g.readFrame(index, p, ReadKind.LOG);
      if (r.problem() != null) {
        throw new StoreDamagedException(
            "group " + g.groupId + ": synced raft index " + index + " is damaged: " + r.problem());
      }
    }
  }

  private void dropFromFirstBad(long from) {
    long bad = -1;
    String why = null;
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = g.rocks.iterator(g.rocks.log, ro)) {
      for (it.seek(Keys.of(g.groupId, from)); g.inGroup(it); it.next()) {
        long index = Keys.valueOf(it.key());
        GroupLog.FrameRead r = g.readFrame(index, LogPointer.decode(it.value()), ReadKind.LOG);
        if (r.problem() != null) {
          bad = index;
          why = r.problem();
          break;
        }
      }
      g.checkIterator(it);
    }
    if (bad < 0) {
      return;
    }
    long last = g.storedLastIndex();
    try (WriteBatch wb = new WriteBatch()) {
      g.truncateForRecovery(bad, wb);
      HardState hs = g.storedHardState();
      if (hs.commit() > bad - 1) {
        g.putHardState(wb, new HardState(hs.term(), hs.vote(), bad - 1));
      }
      g.rocks.write(wb, "drop the unsynced tail of group " + g.groupId);
      g.rocks.syncWal();
    } catch (RocksDBException e) {
      throw Rocks.error(g.rocks.dir, "drop the unsynced tail of group " + g.groupId, e);
    }
    log.warn(
        "group {}: dropped raft indexes {}..{} after the last synced index {}: their frames did not"
            + " reach the disk ({})",
        g.groupId,
        bad,
        last,
        g.syncedIndex(),
        why);
  }

  /** Cuts the last file after the last indexed frame; returns whether it cut anything. */
  private boolean cutTail() {
    Map.Entry<Long, SegmentMeta> lastSegment = g.segmentTable().lastEntry();
    if (lastSegment == null) {
      return false;
    }
    SegmentMeta s = lastSegment.getValue();
    long end = s.lastIndex() >= s.firstIndex() ? g.pointer(s.lastIndex()).end() : 0;
    SegmentFile f = g.files.get(s.fileId());
    if (f.size() <= end) {
      return false;
    }
    // What recovery just read must be durable before bytes only an older state points to go.
    g.rocks.syncWal();
    log.info("group {}: cutting {} after byte {} (an unindexed tail)", g.groupId, f.path, end);
    f.truncate(end);
    return true;
  }

  private void deleteOrphans() {
    Set<Long> live = new HashSet<>();
    for (SegmentMeta s : g.segmentTable().values()) {
      live.add(s.fileId());
    }
    List<Long> orphans = g.files.onDisk().stream().filter(id -> !live.contains(id)).toList();
    if (!orphans.isEmpty()) {
      g.rocks.syncWal();
      log.info("group {}: deleting segment files no segment points to: {}", g.groupId, orphans);
      g.deleteFiles(orphans);
    }
  }
}
