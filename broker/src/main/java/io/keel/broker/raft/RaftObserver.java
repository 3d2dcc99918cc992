package io.keel.broker.raft;

/** What the runtime reports for metrics. Called on event-loop threads: must not block. */
public interface RaftObserver {

  /** This node became leader of {@code groupId}. */
  void becameLeader(long groupId);

  /** A local proposal committed and was applied {@code nanos} after it was proposed. */
  void committed(long nanos);

  /** One {@code DurableStore.sync()} took {@code nanos}. */
  void synced(long nanos);

  /**
   * The local replica of {@code groupId} failed (its storage is damaged or full, or an invariant
   * broke) and was stopped; the node keeps serving its other groups.
   */
  default void quarantined(long groupId, Throwable cause) {}

  /**
   * The local replica of {@code groupId}, whose store was fresh for a group that exists, was
   * admitted behind the fence of {@code fenceTerm} and started.
   */
  default void rejoined(long groupId, long fenceTerm) {}

  RaftObserver NONE =
      new RaftObserver() {
        @Override
        public void becameLeader(long groupId) {}

        @Override
        public void committed(long nanos) {}

        @Override
        public void synced(long nanos) {}
      };
}
