package io.keel.broker.share;

/** Why an acknowledgement changes nothing; {@link #NONE} when it applies. */
public enum AckError {
  NONE,
  /** The offset is not in the window: never read, or already done. */
  UNKNOWN_OFFSET,
  /** Not acquired, or acquired by another member. */
  NOT_HELD,
  /** The member held it but its lock deadline has passed. */
  LOCK_EXPIRED
}
