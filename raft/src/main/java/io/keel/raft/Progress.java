package io.keel.raft;

/**
 * The leader's view of one member's log, and the replication state machine for it:
 *
 * <ul>
 *   <li>PROBE: the leader does not know where the logs diverge; it sends one append at a time and
 *       waits for the answer (or the next heartbeat response) before sending another.
 *   <li>REPLICATE: the logs match up to {@code match}; the leader streams appends optimistically,
 *       bounded by the inflight window.
 *   <li>SNAPSHOT: the entries the member needs are compacted; the leader streams a snapshot in
 *       chunks, one outstanding at a time, and sends no appends.
 * </ul>
 *
 * All transitions are made here. Invariant: {@code match < next}.
 */
final class Progress {
  enum State {
    PROBE,
    REPLICATE,
    SNAPSHOT
  }

  private State state = State.PROBE;
  private long match;
  private long next;
  private boolean probeSent;
  private final Inflights inflights;
  private Snapshot pendingSnapshot;
  private long snapshotOffset;
  private int snapshotIdleTicks;

  /** Leader tick of the last message from this member in this term (check-quorum). */
  long lastHeardTick;

  /** Send tick of the latest heartbeat round this member acknowledged, or -1 (leader lease). */
  long ackedRoundTick = HeartbeatRounds.UNKNOWN;

  /** Highest read context this member acknowledged in the current term. */
  long readAck;

  /** Highest commit index sent to this member in an append. */
  long sentCommit;

  Progress(long next, int maxInflight, long maxInflightBytes) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  State state() {
    return state;
  }

  long match() {
    return match;
  }

  long next() {
    return next;
  }

  Snapshot pendingSnapshot() {
    return pendingSnapshot;
  }

  long snapshotOffset() {
    return snapshotOffset;
  }

  /** Whether the leader must hold back appends to this member for now. */
  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.isFull();
      case SNAPSHOT -> true;
    };
  }

  /** The leader sent an append whose last entry is {@code lastIndex} ({@code next - 1} if none). */
  void sentAppend(long lastIndex, long bytes, boolean hasEntries) {
    switch (state) {
      case REPLICATE -> {
        if (hasEntries) {
          next = lastIndex + 1;
          inflights.add(lastIndex, bytes);
        }
      }
      case PROBE -> probeSent = true;
      case SNAPSHOT -> throw new IllegalStateException("append sent while sending a snapshot");
    }
  }

  /**
   * The member acknowledged its log matches up to {@code index}. Returns whether the match index
   * advanced.
   */
  boolean onAppendAccepted(long index) {
    boolean advanced = index > match;
    if (advanced) {
      match = index;
    }
    next = Math.max(next, index + 1);
    inflights.freeTo(index);
    switch (state) {
      case PROBE -> {
        probeSent = false;
        if (index == match) {
          becomeReplicate();
        }
      }
      case REPLICATE -> {}
      case SNAPSHOT -> {
        if (match >= pendingSnapshot.index()) {
          becomeProbe();
        }
      }
    }
    return advanced;
  }

  /**
   * The member rejected the append that followed {@code rejectedIndex}; {@code nextProbe} is the
   * leader's estimate of the last index where the logs may match, {@code memberLastIndex} the
   * member's last index. Returns whether the rejection was acted on: one for a request since
   * superseded (a probe other than the outstanding one, or an index below the match) is ignored.
   *
   * <p>A rejection at or below {@code match}, or a log shorter than {@code match}, proves the
   * member lost entries it acknowledged (disk replaced, unsynced writes lost): {@code match} drops
   * to 0 so the member stops counting for commit, and probing walks back below the old match until
   * the member acknowledges again.
   */
  boolean onAppendRejected(long rejectedIndex, long nextProbe, long memberLastIndex) {
    boolean current =
        switch (state) {
          case REPLICATE -> rejectedIndex >= match;
          case PROBE -> rejectedIndex == next - 1;
          case SNAPSHOT -> false;
        };
    if (!current) {
      return false;
    }
    boolean lostAcknowledged = match > 0 && (rejectedIndex <= match || memberLastIndex < match);
    long probe = Math.max(0, Math.min(rejectedIndex - 1, nextProbe));
    if (lostAcknowledged) {
      match = 0;
    }
    state = State.PROBE;
    inflights.reset();
    probeSent = false;
    next = Math.max(match + 1, probe + 1);
    return true;
  }

  /**
   * A heartbeat response arrived: the member is alive, so a paused probe may be retried and a full
   * window loses its oldest request (it was probably dropped; a stale resend is rejected cheaply).
   */
  void onHeartbeatResponse() {
    switch (state) {
      case PROBE -> probeSent = false;
      case REPLICATE -> {
        if (inflights.isFull()) {
          inflights.freeFirst();
        }
      }
      case SNAPSHOT -> {}
    }
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      match = Math.max(match, pendingSnapshot.index());
    }
    state = State.PROBE;
    next = match + 1;
    probeSent = false;
    inflights.reset();
    pendingSnapshot = null;
  }

  private void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    inflights.reset();
  }

  void becomeSnapshot(Snapshot snapshot) {
    state = State.SNAPSHOT;
    pendingSnapshot = snapshot;
    snapshotOffset = 0;
    snapshotIdleTicks = 0;
    inflights.reset();
  }

  /** The member holds snapshot data up to {@code offset}. */
  void onSnapshotProgress(long offset) {
    snapshotOffset = offset;
    snapshotIdleTicks = 0;
  }

  /** Counts a tick without snapshot progress; returns whether the chunk should be re-sent. */
  boolean snapshotStalled(int stallTicks) {
    if (state != State.SNAPSHOT) {
      return false;
    }
    snapshotIdleTicks++;
    if (snapshotIdleTicks >= stallTicks) {
      snapshotIdleTicks = 0;
      return true;
    }
    return false;
  }

  /** The leader's own progress: its persisted log ends at {@code index}. */
  void selfPersisted(long index) {
    match = index;
    next = index + 1;
  }

  @Override
  public String toString() {
    return state + "(match=" + match + " next=" + next + " inflight=" + inflights.count() + ")";
  }
}
