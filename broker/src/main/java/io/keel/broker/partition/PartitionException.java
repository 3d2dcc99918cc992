package io.keel.broker.partition;

import io.keel.proto.ErrorCode;

/**
 * A partition operation failed with a typed, client-visible error. {@code leaderId} is set for
 * {@link ErrorCode#NOT_LEADER} when this node knows the leader (0 otherwise).
 */
public final class PartitionException extends RuntimeException {
  private final ErrorCode code;
  private final int leaderId;

  public PartitionException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  public PartitionException(ErrorCode code, String message, int leaderId) {
    super(message, null, false, false);
    this.code = code;
    this.leaderId = leaderId;
  }

  public static PartitionException notLeader(String partition, int leaderId) {
    String known = leaderId == 0 ? "the leader is unknown" : "the leader is node " + leaderId;
    return new PartitionException(
        ErrorCode.NOT_LEADER, "this node does not lead " + partition + "; " + known, leaderId);
  }

  public ErrorCode code() {
    return code;
  }

  public int leaderId() {
    return leaderId;
  }
}
