package io.keel.raft;

import java.util.Arrays;

/** Reassembles a snapshot that arrives in chunks; one transfer at a time, in order. */
final class SnapshotReceiver {
  private long index = -1;
  private long term;
  private Membership membership;
  private byte[] buffer = new byte[0];
  private int size;

  /** Offset of the next chunk expected for the snapshot at {@code snapshotIndex}. */
  long nextOffset(long snapshotIndex, long snapshotTerm) {
    return snapshotIndex == index && snapshotTerm == term ? size : 0;
  }

  /**
   * Accepts a chunk; returns whether it was the expected one. A chunk at offset 0 (re)starts the
   * transfer.
   */
  boolean accept(Message.SnapshotChunk chunk) {
    if (chunk.offset() == 0) {
      index = chunk.snapshotIndex();
      term = chunk.snapshotTerm();
      membership = chunk.membership();
      size = 0;
    } else if (chunk.offset() != nextOffset(chunk.snapshotIndex(), chunk.snapshotTerm())) {
      return false;
    }
    int needed = size + chunk.data().length;
    Checks.arg(needed >= 0, "snapshot larger than 2 GiB at index %s", chunk.snapshotIndex());
    if (needed > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
    }
    System.arraycopy(chunk.data(), 0, buffer, size, chunk.data().length);
    size = needed;
    return true;
  }

  /** The complete snapshot; the receiver is reset. */
  Snapshot finish() {
    Snapshot snapshot = new Snapshot(index, term, membership, Arrays.copyOf(buffer, size));
    reset();
    return snapshot;
  }

  void reset() {
    index = -1;
    term = 0;
    membership = null;
    buffer = new byte[0];
    size = 0;
  }
}
