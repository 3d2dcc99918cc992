package io.keel.broker.share;

import io.keel.raft.Checks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated share state of one partition for one share group: the in-flight window {@code
 * [startOffset, endOffset)} and each offset's state in it. Offsets below the end that are not in
 * the window are done (accepted or dead-lettered). Indexed by state, by lock deadline and by due
 * time, so acquiring, expiring and releasing never scan the window. Deterministic (no clock: times
 * come with the records); loop-only.
 */
public final class SharePartitionState {
  /** Totals since the partition entered the group, replicated (for metrics and describe). */
  public record Counters(long accepted, long deadLettered, long lockExpiries, long redeliveries) {
    static final Counters ZERO = new Counters(0, 0, 0, 0);
  }

  private final TreeMap<Long, InFlightRecord> records = new TreeMap<>();
  private final TreeSet<Long> available = new TreeSet<>();
  private final TreeMap<Long, TreeSet<Long>> delayedByDue = new TreeMap<>();
  private final TreeMap<Long, TreeSet<Long>> locksByDeadline = new TreeMap<>();
  private final TreeSet<Long> archiving = new TreeSet<>();
  private final Map<String, TreeSet<Long>> heldBy = new HashMap<>();
  private long endOffset;
  private Counters counters = Counters.ZERO;

  SharePartitionState(long startOffset) {
    this.endOffset = startOffset;
  }

  public long startOffset() {
    return records.isEmpty() ? endOffset : records.firstKey();
  }

  public long endOffset() {
    return endOffset;
  }

  public Counters counters() {
    return counters;
  }

  public RecordState stateOf(long offset) {
    InFlightRecord r = records.get(offset);
    if (r != null) {
      return r.state();
    }
    return offset < endOffset ? RecordState.DONE : RecordState.NOT_READ;
  }

  public InFlightRecord record(long offset) {
    return records.get(offset);
  }

  public Collection<InFlightRecord> records() {
    return List.copyOf(records.values());
  }

  /** Records in the window that are not DELAYED: what the in-flight limit counts. */
  public int inFlight() {
    return records.size() - delayedCount();
  }

  public int availableCount() {
    return available.size();
  }

  public int acquiredCount() {
    int n = 0;
    for (TreeSet<Long> s : locksByDeadline.values()) {
      n += s.size();
    }
    return n;
  }

  public int delayedCount() {
    int n = 0;
    for (TreeSet<Long> s : delayedByDue.values()) {
      n += s.size();
    }
    return n;
  }

  public Set<Long> archivingOffsets() {
    return Set.copyOf(archiving);
  }

  public int heldBy(String memberId) {
    TreeSet<Long> s = heldBy.get(memberId);
    return s == null ? 0 : s.size();
  }

  public int maxDeliveryCount() {
    int max = 0;
    for (InFlightRecord r : records.values()) {
      max = Math.max(max, r.deliveryCount());
    }
    return max;
  }

  /** The earliest lock deadline, or {@code Long.MAX_VALUE}. */
  public long nextLockDeadline() {
    return locksByDeadline.isEmpty() ? Long.MAX_VALUE : locksByDeadline.firstKey();
  }

  /** The earliest deliver-at time of a delayed record, or {@code Long.MAX_VALUE}. */
  public long nextDue() {
    return delayedByDue.isEmpty() ? Long.MAX_VALUE : delayedByDue.firstKey();
  }

  /** When the oldest record not yet done became available, or {@code Long.MAX_VALUE}. */
  public long oldestUnackedSinceMs() {
    for (InFlightRecord r : records.values()) {
      if (r.state() != RecordState.DELAYED) {
        return r.dueMs(); // window order approximates age order; exact for undelayed topics
      }
    }
    return Long.MAX_VALUE;
  }

  /** Up to {@code max} lowest offsets that may be acquired at {@code atMs}; no window scan. */
  public List<Long> acquirable(long atMs, int max) {
    TreeSet<Long> candidates = new TreeSet<>();
    Iterator<Long> it = available.iterator();
    while (candidates.size() < max && it.hasNext()) {
      candidates.add(it.next());
    }
    int due = 0;
    outer:
    for (TreeSet<Long> offsets : delayedByDue.headMap(atMs, true).values()) {
      for (Long o : offsets) {
        if (due++ >= max) {
          break outer;
        }
        candidates.add(o);
      }
    }
    List<Long> out = new ArrayList<>(Math.min(max, candidates.size()));
    for (Long o : candidates) {
      if (out.size() == max) {
        break;
      }
      out.add(o);
    }
    return out;
  }

  /** Whether {@code member} may acknowledge {@code offset} at {@code atMs}. */
  public AckError check(String memberId, long offset, long atMs) {
    InFlightRecord r = records.get(offset);
    if (r == null) {
      return AckError.UNKNOWN_OFFSET;
    }
    if (r.state() != RecordState.ACQUIRED || !r.memberId().equals(memberId)) {
      return AckError.NOT_HELD;
    }
    return atMs > r.lockDeadlineMs() ? AckError.LOCK_EXPIRED : AckError.NONE;
  }

  // ------------------------------------------------------------------ transitions

  void fill(long fromOffset, long toOffset, List<ShareRecord.Delay> delayed, long atMs) {
    if (fromOffset != endOffset || toOffset < fromOffset) {
      return; // a fill proposed against an older window: the leader re-reads from the end
    }
    Map<Long, Long> due = new HashMap<>();
    for (ShareRecord.Delay d : delayed) {
      due.put(d.offset(), d.deliverAtMs());
    }
    for (long o = fromOffset; o < toOffset; o++) {
      Long at = due.get(o);
      put(
          at != null && at > atMs
              ? InFlightRecord.delayed(o, at)
              : InFlightRecord.available(o, at == null ? atMs : at));
    }
    endOffset = toOffset;
  }

  /** Acquires each offset that is acquirable at {@code atMs}; returns those acquired. */
  List<Long> acquire(
      String memberId, List<Long> offsets, long atMs, long lockDeadlineMs, int limit) {
    List<Long> out = new ArrayList<>();
    for (long o : offsets) {
      InFlightRecord r = records.get(o);
      boolean ok =
          r != null
              && (r.state() == RecordState.AVAILABLE
                  || (r.state() == RecordState.DELAYED && r.dueMs() <= atMs));
      if (!ok) {
        continue;
      }
      if (r.deliveryCount() > 0) {
        counters =
            new Counters(
                counters.accepted(),
                counters.deadLettered(),
                counters.lockExpiries(),
                counters.redeliveries() + 1);
      }
      put(r.acquired(memberId, lockDeadlineMs, limit));
      out.add(o);
    }
    return out;
  }

  AckError acknowledge(String memberId, long offset, AckType type, long atMs, long newDeadline) {
    AckError error = check(memberId, offset, atMs);
    if (error != AckError.NONE) {
      return error;
    }
    InFlightRecord r = records.get(offset);
    switch (type) {
      case ACCEPT -> {
        remove(r);
        counters =
            new Counters(
                counters.accepted() + 1,
                counters.deadLettered(),
                counters.lockExpiries(),
                counters.redeliveries());
      }
      case RELEASE -> put(r.released());
      case REJECT -> put(r.archiving("rejected"));
      case RENEW -> put(r.renewed(Math.max(newDeadline, r.lockDeadlineMs())));
    }
    return AckError.NONE;
  }

  /** Releases every lock with a deadline at or before {@code atMs}; returns how many. */
  int expireLocks(long atMs) {
    NavigableMap<Long, TreeSet<Long>> due = locksByDeadline.headMap(atMs, true);
    List<Long> offsets = new ArrayList<>();
    due.values().forEach(offsets::addAll);
    for (long o : offsets) {
      put(records.get(o).released());
    }
    counters =
        new Counters(
            counters.accepted(),
            counters.deadLettered(),
            counters.lockExpiries() + offsets.size(),
            counters.redeliveries());
    return offsets.size();
  }

  void releaseAll(String memberId) {
    TreeSet<Long> held = heldBy.get(memberId);
    if (held != null) {
      for (long o : new ArrayList<>(held)) {
        put(records.get(o).released());
      }
    }
  }

  void deadLettered(long offset) {
    InFlightRecord r = records.get(offset);
    if (r != null && r.state() == RecordState.ARCHIVING) {
      remove(r);
      counters =
          new Counters(
              counters.accepted(),
              counters.deadLettered() + 1,
              counters.lockExpiries(),
              counters.redeliveries());
    }
  }

  ShareRecord.PartitionImage image(String groupId, String topic, int partition) {
    return new ShareRecord.PartitionImage(
        groupId,
        topic,
        partition,
        startOffset(),
        endOffset,
        counters,
        List.copyOf(records.values()));
  }

  static SharePartitionState of(ShareRecord.PartitionImage image) {
    SharePartitionState s = new SharePartitionState(image.endOffset());
    s.counters = image.counters();
    for (InFlightRecord r : image.records()) {
      Checks.state(
          r.offset() >= image.startOffset() && r.offset() < image.endOffset(),
          "share image %s-%s: offset %s outside [%s, %s)",
          image.topic(),
          image.partition(),
          r.offset(),
          image.startOffset(),
          image.endOffset());
      s.put(r);
    }
    return s;
  }

  // ------------------------------------------------------------------ indices

  private void put(InFlightRecord next) {
    InFlightRecord previous = records.put(next.offset(), next);
    if (previous != null) {
      Checks.state(
          next.deliveryCount() >= previous.deliveryCount(),
          "offset %s: delivery count would go from %s to %s",
          next.offset(),
          previous.deliveryCount(),
          next.deliveryCount());
      unindex(previous);
    }
    index(next);
  }

  private void remove(InFlightRecord r) {
    records.remove(r.offset());
    unindex(r);
  }

  private void index(InFlightRecord r) {
    switch (r.state()) {
      case AVAILABLE -> available.add(r.offset());
      case DELAYED -> delayedByDue.computeIfAbsent(r.dueMs(), k -> new TreeSet<>()).add(r.offset());
      case ACQUIRED -> {
        locksByDeadline.computeIfAbsent(r.lockDeadlineMs(), k -> new TreeSet<>()).add(r.offset());
        heldBy.computeIfAbsent(r.memberId(), k -> new TreeSet<>()).add(r.offset());
      }
      case ARCHIVING -> archiving.add(r.offset());
      case DONE, NOT_READ -> throw new IllegalStateException("offset " + r.offset() + ": " + r);
    }
  }

  private void unindex(InFlightRecord r) {
    switch (r.state()) {
      case AVAILABLE -> available.remove(r.offset());
      case DELAYED -> removeFrom(delayedByDue, r.dueMs(), r.offset());
      case ACQUIRED -> {
        removeFrom(locksByDeadline, r.lockDeadlineMs(), r.offset());
        TreeSet<Long> held = heldBy.get(r.memberId());
        held.remove(r.offset());
        if (held.isEmpty()) {
          heldBy.remove(r.memberId());
        }
      }
      case ARCHIVING -> archiving.remove(r.offset());
      case DONE, NOT_READ -> throw new IllegalStateException("offset " + r.offset() + ": " + r);
    }
  }

  private static void removeFrom(TreeMap<Long, TreeSet<Long>> index, long key, long offset) {
    TreeSet<Long> s = index.get(key);
    s.remove(offset);
    if (s.isEmpty()) {
      index.remove(key);
    }
  }
}
