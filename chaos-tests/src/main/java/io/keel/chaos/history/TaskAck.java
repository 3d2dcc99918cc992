package io.keel.chaos.history;

/**
 * One acknowledgement of a delivered task.
 *
 * @param count the delivery count of the delivery it acknowledges
 * @param refused the broker's refusal code on an ok completion (e.g. SHARE_LOCK_EXPIRED), else null
 */
public record TaskAck(int partition, long offset, long task, int count, Kind kind, String refused) {
  /** What the worker said (the share API's AcknowledgeType). */
  public enum Kind {
    ACCEPT,
    RELEASE,
    REJECT,
    RENEW
  }

  public TaskAck refusedWith(String code) {
    return new TaskAck(partition, offset, task, count, kind, code);
  }
}
