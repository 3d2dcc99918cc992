package io.keel.client;

/** Where resetOffsets() moves a group's committed offsets. */
public sealed interface OffsetResetSpec {
  record Earliest() implements OffsetResetSpec {}

  record Latest() implements OffsetResetSpec {}

  /** The first offset whose timestamp is >= {@code timestampMs}. */
  record ToTimestamp(long timestampMs) implements OffsetResetSpec {}

  record ToOffset(long offset) implements OffsetResetSpec {}
}
