package io.keel.logstore;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
import io.keel.raft.Membership;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/** Value encodings of the Raft column families. All integers big-endian. */
final class Codec {
  /** Bytes of an entry value before its data: term u64, type u8. */
  static final int ENTRY_HEADER_BYTES = 9;

  private static final EntryType[] TYPES = EntryType.values();

  private Codec() {}

  static byte[] encodeEntry(Entry e) {
    byte[] out = new byte[ENTRY_HEADER_BYTES + e.data().length];
    ByteBuffer.wrap(out).putLong(e.term()).put((byte) e.type().ordinal());
    System.arraycopy(e.data(), 0, out, ENTRY_HEADER_BYTES, e.data().length);
    return out;
  }

  static Entry decodeEntry(long index, byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    long term = b.getLong();
    int type = b.get();
    if (type < 0 || type >= TYPES.length) {
      throw new IllegalStateException("entry " + index + " has unknown type " + type);
    }
    byte[] data = new byte[value.length - ENTRY_HEADER_BYTES];
    System.arraycopy(value, ENTRY_HEADER_BYTES, data, 0, data.length);
    return new Entry(term, index, TYPES[type], data);
  }

  static long termOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong(0);
  }

  static boolean isEnvelopeValue(byte[] value) {
    return value.length > ENTRY_HEADER_BYTES
        && value[8] == EntryType.NORMAL.ordinal()
        && value[ENTRY_HEADER_BYTES] == BatchEnvelope.TYPE;
  }

  /** The envelope data inside an entry value. */
  static byte[] envelopeOf(byte[] value) {
    byte[] data = new byte[value.length - ENTRY_HEADER_BYTES];
    System.arraycopy(value, ENTRY_HEADER_BYTES, data, 0, data.length);
    return data;
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
