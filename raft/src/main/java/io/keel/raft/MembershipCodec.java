package io.keel.raft;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/** Encodes the {@link Membership} carried by {@link EntryType#CONFIG} entries. */
public final class MembershipCodec {
  private static final int MAX_MEMBERS = 1024;

  private MembershipCodec() {}

  /** Voter count, voter ids, learner count, learner ids; all big-endian ints. */
  public static byte[] encode(Membership membership) {
    int size = 8 + 4 * (membership.voters().size() + membership.learners().size());
    ByteBuffer buf = ByteBuffer.allocate(size);
    writeIds(buf, membership.voters());
    writeIds(buf, membership.learners());
    return buf.array();
  }

  public static Membership decode(byte[] data) {
    ByteBuffer buf = ByteBuffer.wrap(data);
    Set<Integer> voters = readIds(buf);
    Set<Integer> learners = readIds(buf);
    Checks.arg(!buf.hasRemaining(), "membership has %s trailing bytes", buf.remaining());
    return new Membership(voters, learners);
  }

  private static void writeIds(ByteBuffer buf, Set<Integer> ids) {
    buf.putInt(ids.size());
    ids.stream().sorted().forEach(buf::putInt);
  }

  private static Set<Integer> readIds(ByteBuffer buf) {
    Checks.arg(buf.remaining() >= 4, "membership truncated: %s bytes left", buf.remaining());
    int count = buf.getInt();
    Checks.arg(
        count >= 0 && count <= MAX_MEMBERS,
        "membership count %s not in [0, %s]",
        count,
        MAX_MEMBERS);
    Checks.arg(buf.remaining() >= 4 * count, "membership truncated: %s ids missing", count);
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < count; i++) {
      ids.add(buf.getInt());
    }
    return ids;
  }
}
