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
  UNTYPED_FULL_DISK
}
