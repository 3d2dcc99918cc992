package io.keel.raft;

/**
 * The send ticks of a leader's recent heartbeat rounds, keyed by round context (which increases for
 * the node's lifetime). An acknowledgement of a round proves the member heard from this leader no
 * earlier than the round's send tick; that starts the leader lease. A ring, so rounds older than
 * its capacity are forgotten (their acknowledgements then prove nothing, which is safe).
 */
final class HeartbeatRounds {
  static final long UNKNOWN = -1;
  private static final int CAPACITY = 64;

  private long[] contexts;
  private long[] sendTicks;

  void record(long context, long sendTick) {
    if (contexts == null) {
      contexts = new long[CAPACITY];
      sendTicks = new long[CAPACITY];
    }
    int slot = (int) (context % CAPACITY);
    contexts[slot] = context;
    sendTicks[slot] = sendTick;
  }

  /** The tick at which round {@code context} was sent, or {@link #UNKNOWN}. */
  long sendTick(long context) {
    if (contexts == null || context <= 0) {
      return UNKNOWN;
    }
    int slot = (int) (context % CAPACITY);
    return contexts[slot] == context ? sendTicks[slot] : UNKNOWN;
  }
}
