package io.keel.broker.group;

import io.keel.proto.ErrorCode;

/**
 * A group operation failed with a typed, client-visible error. {@code leaderId} names the current
 * coordinator for {@link ErrorCode#NOT_COORDINATOR} when known (0 otherwise).
 */
public final class CoordinatorException extends RuntimeException {
  private final ErrorCode code;
  private final int leaderId;

  public CoordinatorException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  public CoordinatorException(ErrorCode code, String message, int leaderId) {
    super(message, null, false, false);
    this.code = code;
    this.leaderId = leaderId;
  }

  public ErrorCode code() {
    return code;
  }

  public int leaderId() {
    return leaderId;
  }
}
