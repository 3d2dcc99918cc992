package io.keel.broker.share;

/** How a member acknowledges a record it holds. */
public enum AckType {
  /** Done: never delivered again. */
  ACCEPT,
  /** Give it back now; redelivered, or dead-lettered if it reached the delivery limit. */
  RELEASE,
  /** Never deliver again: dead-lettered with reason "rejected". */
  REJECT,
  /** Keep it: the lock moves to a new deadline. */
  RENEW
}
