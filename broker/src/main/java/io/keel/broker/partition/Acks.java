package io.keel.broker.partition;

import io.keel.proto.ErrorCode;

/** When a produce request is answered. */
public enum Acks {
  /** After validation, without waiting for the append. */
  NONE,
  /** After the leader's durable local append. */
  LEADER,
  /** After the Raft quorum committed the batch and the leader applied it. */
  ALL;

  /** Maps the wire value: 0, 1 or -1 (all). */
  public static Acks fromWire(int acks) {
    return switch (acks) {
      case 0 -> NONE;
      case 1 -> LEADER;
      case -1 -> ALL;
      default ->
          throw new PartitionException(
              ErrorCode.INVALID_REQUEST, "acks must be 0, 1 or -1 (all), was " + acks);
    };
  }
}
