package io.keel.raft;

/**
 * One Raft log entry. {@code data} is opaque to Raft for {@link EntryType#NORMAL} entries, an
 * encoded {@link Membership} for {@link EntryType#CONFIG} entries and empty for {@link
 * EntryType#NOOP}.
 *
 * <p>The array is never mutated after construction; callers must not mutate it either.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
  public Entry {
    Checks.arg(term > 0, "entry term must be > 0, was %s", term);
    Checks.arg(index > 0, "entry index must be > 0, was %s", index);
    Checks.arg(type != null, "entry type is null at index %s", index);
    Checks.arg(data != null, "entry data is null at index %s", index);
  }

  /** Bytes this entry costs in memory and on the wire, for flow control and batching limits. */
  public long sizeBytes() {
    return data.length + 24L;
  }
}
