package io.keel.chaos.checker;

/** Every kind of anomaly the checker looks for; see docs/verification.md for each. */
public enum AnomalyType {
  /** Acknowledged send missing from the final read although later offsets were read. */
  LOST_WRITE,
  /** Acknowledged send missing from the final read, with nothing read past its offset. */
  UNSEEN_WRITE,
  /** A value read at more than one offset; an anomaly only when idempotence is expected. */
  DUPLICATE,
  /** Two different values observed at one partition offset (acks, reads, replicas). */
  INCONSISTENT_OFFSET,
  /** A read value that was never sent, or whose send definitely failed. */
  PHANTOM_READ,
  /** A poll went back (or repeated an offset) within one member's ownership of a partition. */
  POLL_NONMONOTONIC,
  /** A poll jumped over offsets within one member's ownership of a partition. */
  POLL_SKIP,
  /** A commit acknowledged after another commit completed moved the group offset back. */
  COMMIT_REGRESSION,
  /** A committed-offset read returned a value overwritten before the read began. */
  STALE_OFFSET_READ,
  /** Two replicas hold different values at one offset of their committed logs. */
  REPLICA_DIVERGENCE,
  /** One node granted votes to two candidates in one term of a group (across its restarts). */
  DOUBLE_VOTE,
  /** Two nodes became leader of one group in one term. */
  TWO_LEADERS,
  /** A disk-full fault on a partition leader produced no STORAGE_FULL send error. */
  UNTYPED_FULL_DISK,
  /** An acknowledged task was neither accepted nor dead-lettered. */
  TASK_LOST,
  /** Two acknowledged ACCEPTs of one task record. */
  TASK_ACCEPTED_TWICE,
  /** A task record with an acknowledged ACCEPT is also in the dead-letter topic. */
  TASK_ACCEPTED_AND_DEAD_LETTERED,
  /** A task delivered in a poll begun after an ACCEPT of it was acknowledged. */
  REDELIVERED_AFTER_ACCEPT,
  /** A task delivered in a poll begun after its REJECT was acknowledged or it was dead-lettered. */
  REDELIVERED_AFTER_DEAD_LETTER,
  /** A task delivered before its keel.deliver.at time (beyond the clock slack). */
  EARLY_DELIVERY,
  /** A delivery's count not above the count of an earlier delivery of the same record. */
  DELIVERY_COUNT_DECREASED,
  /** A delivery count above the delivery limit. */
  DELIVERED_PAST_LIMIT,
  /** A dead letter's delivery count is not the limit (or the rejected delivery's count). */
  DLQ_COUNT_WRONG,
  /** A dead letter's headers do not name a reason, group, topic or source record it could have. */
  DLQ_HEADERS_WRONG,
  /** A task delivered or dead-lettered that was never enqueued, or whose enqueue failed. */
  PHANTOM_TASK
}
