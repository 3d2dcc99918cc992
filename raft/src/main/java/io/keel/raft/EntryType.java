package io.keel.raft;

/** What an entry carries. Only NORMAL entries reach the application's state machine as data. */
public enum EntryType {
  /** Application data proposed through {@code propose}. */
  NORMAL,
  /** The empty entry a new leader appends so it can commit entries of earlier terms. */
  NOOP,
  /** A membership change: the data is an encoded {@link Membership}. */
  CONFIG
}
