package io.keel.raft;

/**
 * The node-wide store behind every group's {@link RaftStorage}. Groups stage writes independently;
 * one {@link #sync()} makes all of them durable together, so many groups share one fsync.
 */
public interface DurableStore extends AutoCloseable {

  /** The storage of group {@code groupId}, created empty on first use. */
  RaftStorage group(long groupId);

  /** Makes every write staged so far, in every group, durable. */
  void sync();

  /** Removes a group and all its data (topic deletion). */
  void dropGroup(long groupId);

  /** Syncs and releases the store; no checked exception, so callers need no interrupt handling. */
  @Override
  void close();
}
