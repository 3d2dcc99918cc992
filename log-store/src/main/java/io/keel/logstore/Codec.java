package io.keel.logstore;

import io.keel.raft.HardState;
import io.keel.raft.Membership;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/** Value encodings of the Raft column families. All integers big-endian. */
final class Codec {
  private Codec() {}

  /** The term at the start of a {@code raft_log} value (a {@link LogPointer}). */
  static long termOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong(0);
  }

  static byte[] encodeHardState(HardState s) {
    return ByteBuffer.allocate(20).putLong(s.term()).putInt(s.vote()).putLong(s.commit()).array();
  }

  static HardState decodeHardState(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new HardState(b.getLong(), b.getInt(), b.getLong());
  }

  /** Snapshot metadata: index u64, term u64, voters, learners (count u32 then ids i32). */
  static byte[] encodeSnapshotMeta(long index, long term, Membership m) {
    ByteBuffer b = ByteBuffer.allocate(24 + 4 * (m.voters().size() + m.learners().size()));
    b.putLong(index).putLong(term);
    putIds(b, m.voters());
    putIds(b, m.learners());
    return b.array();
  }

  record SnapshotMeta(long index, long term, Membership membership) {}

  static SnapshotMeta decodeSnapshotMeta(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    long index = b.getLong();
    long term = b.getLong();
    Set<Integer> voters = getIds(b);
    Set<Integer> learners = getIds(b);
    return new SnapshotMeta(index, term, new Membership(voters, learners));
  }

  /** Offset-index value: raft index u64, record count u32, max timestamp i64. */
  static byte[] encodeIndexValue(long raftIndex, BatchEnvelope.Header h) {
    return ByteBuffer.allocate(20)
        .putLong(raftIndex)
        .putInt(h.recordCount())
        .putLong(h.maxTimestamp())
        .array();
  }

  record IndexValue(long raftIndex, int recordCount, long maxTimestamp) {}

  static IndexValue decodeIndexValue(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new IndexValue(b.getLong(), b.getInt(), b.getLong());
  }

  static byte[] encodeLong(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static long decodeLong(byte[] v) {
    return ByteBuffer.wrap(v).getLong();
  }

  private static void putIds(ByteBuffer b, Set<Integer> ids) {
    b.putInt(ids.size());
    ids.stream().sorted().forEach(b::putInt);
  }

  private static Set<Integer> getIds(ByteBuffer b) {
    int n = b.getInt();
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(b.getInt());
    }
    return ids;
  }
}
