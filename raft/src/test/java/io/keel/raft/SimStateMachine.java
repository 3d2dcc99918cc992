package io.keel.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The application in the simulator: a running hash over applied entries. Its snapshot is the
 * (index, hash) pair plus padding, so snapshots exercise chunking.
 */
final class SimStateMachine {
  private long index;
  private long hash;

  long index() {
    return index;
  }

  long hash() {
    return hash;
  }

  void apply(Entry e) {
    Checks.state(
        e.index() == index + 1, "applied index %s after %s: gap or repeat", e.index(), index);
    index = e.index();
    hash = chain(hash, entryHash(e));
  }

  byte[] snapshot(int paddingBytes) {
    return ByteBuffer.allocate(16 + paddingBytes).putLong(index).putLong(hash).array();
  }

  void restore(Snapshot s) {
    if (s.data().length == 0) {
      Checks.state(s.index() == 0, "empty snapshot data at index %s", s.index());
      index = 0;
      hash = 0;
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(s.data());
    index = buf.getLong();
    hash = buf.getLong();
    Checks.state(index == s.index(), "snapshot data at index %s claims index %s", s.index(), index);
  }

  static long entryHash(Entry e) {
    long h = e.term() * 0x9E3779B97F4A7C15L + e.type().ordinal();
    return h * 31 + Arrays.hashCode(e.data());
  }

  static long chain(long previous, long entryHash) {
    long h = previous ^ entryHash;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h | 1;
  }
}
