package io.keel.broker.share;

/** The state of one offset of a share partition. */
public enum RecordState {
  /** In the window, waiting for its deliver-at time. */
  DELAYED,
  /** In the window, free to acquire. */
  AVAILABLE,
  /** Held by a member until its lock deadline. */
  ACQUIRED,
  /** Rejected or out of deliveries: waiting for its dead-letter produce to be acknowledged. */
  ARCHIVING,
  /** Below the window's end and no longer in it: accepted or dead-lettered; never delivered. */
  DONE,
  /** At or past the window's end: not read yet. */
  NOT_READ
}
