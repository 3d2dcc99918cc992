package io.keel.proto;

/**
 * Classification of {@link ErrorCode}s shared by broker and client; the table in docs/api.md is the
 * same list. The switch is exhaustive, so a new code does not compile until it is classified.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  /**
   * Whether the same request may succeed later unchanged (possibly after refreshing metadata or
   * finding the coordinator). Unknown codes from newer servers are not retriable.
   */
  public static boolean isRetriable(ErrorCode code) {
    return switch (code) {
      case NOT_LEADER,
          LEADER_NOT_AVAILABLE,
          FENCED_LEADER_EPOCH,
          UNKNOWN_TOPIC_OR_PARTITION,
          NOT_CONTROLLER,
          REQUEST_TIMED_OUT,
          NOT_ENOUGH_REPLICAS,
          STORAGE_FULL,
          THROTTLED,
          NODE_SHUTTING_DOWN,
          NOT_COORDINATOR,
          COORDINATOR_LOADING,
          STALE_MEMBER_EPOCH,
          UNRELEASED_INSTANCE_ID ->
          true;
      case NONE,
          UNKNOWN,
          RECORD_TOO_LARGE,
          CORRUPT_BATCH,
          INVALID_REQUEST,
          OUT_OF_ORDER_SEQUENCE,
          DUPLICATE_SEQUENCE,
          PRODUCER_FENCED,
          INVALID_PRODUCER_EPOCH,
          UNKNOWN_PRODUCER_ID,
          TOPIC_ALREADY_EXISTS,
          INVALID_TOPIC_NAME,
          INVALID_PARTITIONS,
          INVALID_REPLICATION_FACTOR,
          INVALID_CONFIG,
          OFFSET_OUT_OF_RANGE,
          UNKNOWN_MEMBER_ID,
          FENCED_MEMBER_EPOCH,
          GROUP_NOT_EMPTY,
          GROUP_ID_NOT_FOUND,
          INVALID_GROUP_ID,
          UNSUPPORTED_ASSIGNOR,
          UNRECOGNIZED ->
          false;
    };
  }

  /** Whether the caller should refresh metadata (or re-find the coordinator) before retrying. */
  public static boolean needsMetadataRefresh(ErrorCode code) {
    return switch (code) {
      case NOT_LEADER,
          LEADER_NOT_AVAILABLE,
          FENCED_LEADER_EPOCH,
          UNKNOWN_TOPIC_OR_PARTITION,
          NOT_CONTROLLER,
          NODE_SHUTTING_DOWN,
          NOT_COORDINATOR ->
          true;
      case NONE,
          UNKNOWN,
          REQUEST_TIMED_OUT,
          NOT_ENOUGH_REPLICAS,
          STORAGE_FULL,
          THROTTLED,
          COORDINATOR_LOADING,
          STALE_MEMBER_EPOCH,
          UNRELEASED_INSTANCE_ID,
          RECORD_TOO_LARGE,
          CORRUPT_BATCH,
          INVALID_REQUEST,
          OUT_OF_ORDER_SEQUENCE,
          DUPLICATE_SEQUENCE,
          PRODUCER_FENCED,
          INVALID_PRODUCER_EPOCH,
          UNKNOWN_PRODUCER_ID,
          TOPIC_ALREADY_EXISTS,
          INVALID_TOPIC_NAME,
          INVALID_PARTITIONS,
          INVALID_REPLICATION_FACTOR,
          INVALID_CONFIG,
          OFFSET_OUT_OF_RANGE,
          UNKNOWN_MEMBER_ID,
          FENCED_MEMBER_EPOCH,
          GROUP_NOT_EMPTY,
          GROUP_ID_NOT_FOUND,
          INVALID_GROUP_ID,
          UNSUPPORTED_ASSIGNOR,
          UNRECOGNIZED ->
          false;
    };
  }
}
