package io.keel.broker.share;

/**
 * One offset of a share partition's window, as replicated (immutable; {@link SharePartitionState}
 * replaces it on every transition).
 *
 * @param deliveryCount acquisitions so far; never decreases
 * @param memberId the holder while ACQUIRED, else ""
 * @param lockDeadlineMs while ACQUIRED, else 0
 * @param dueMs DELAYED: the deliver-at time; else when it became available (for the age metric)
 * @param deliveryLimit the limit stamped at its last acquisition (0 before the first)
 * @param reason ARCHIVING: why it is dead-lettered ("rejected" or "delivery limit"), else ""
 */
public record InFlightRecord(
    long offset,
    RecordState state,
    int deliveryCount,
    String memberId,
    long lockDeadlineMs,
    long dueMs,
    int deliveryLimit,
    String reason) {

  static InFlightRecord available(long offset, long sinceMs) {
    return new InFlightRecord(offset, RecordState.AVAILABLE, 0, "", 0, sinceMs, 0, "");
  }

  static InFlightRecord delayed(long offset, long deliverAtMs) {
    return new InFlightRecord(offset, RecordState.DELAYED, 0, "", 0, deliverAtMs, 0, "");
  }

  InFlightRecord acquired(String member, long deadlineMs, int limit) {
    return new InFlightRecord(
        offset, RecordState.ACQUIRED, deliveryCount + 1, member, deadlineMs, dueMs, limit, "");
  }

  InFlightRecord renewed(long deadlineMs) {
    return new InFlightRecord(
        offset, state, deliveryCount, memberId, deadlineMs, dueMs, deliveryLimit, reason);
  }

  /**
   * Released by the holder, its lock or its leaving: available again (keeping when it first became
   * available, for the age metric), or out of deliveries.
   */
  InFlightRecord released() {
    if (deliveryLimit > 0 && deliveryCount >= deliveryLimit) {
      return archiving("delivery limit");
    }
    return new InFlightRecord(
        offset, RecordState.AVAILABLE, deliveryCount, "", 0, dueMs, deliveryLimit, "");
  }

  InFlightRecord archiving(String why) {
    return new InFlightRecord(
        offset, RecordState.ARCHIVING, deliveryCount, "", 0, dueMs, deliveryLimit, why);
  }
}
