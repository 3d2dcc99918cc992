package io.keel.broker.http;

import io.keel.proto.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/** How Keel's typed errors read as HTTP statuses (the table in docs/api.md). */
final class ErrorStatus {
  static final HttpResponseStatus INSUFFICIENT_STORAGE = HttpResponseStatus.valueOf(507);

  /** Seconds a client should wait before retrying a 429 or 503. */
  static final int RETRY_AFTER_SECONDS = 1;

  private ErrorStatus() {}

  static HttpResponseStatus of(ErrorCode code) {
    return switch (code) {
      case NONE, UNKNOWN, UNRECOGNIZED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
      case INVALID_REQUEST,
          CORRUPT_BATCH,
          INVALID_PARTITIONS,
          INVALID_REPLICATION_FACTOR,
          INVALID_CONFIG,
          INVALID_TOPIC_NAME,
          INVALID_GROUP_ID,
          UNSUPPORTED_ASSIGNOR ->
          HttpResponseStatus.BAD_REQUEST;
      case UNKNOWN_TOPIC_OR_PARTITION, GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID ->
          HttpResponseStatus.NOT_FOUND;
      case TOPIC_ALREADY_EXISTS,
          GROUP_NOT_EMPTY,
          FENCED_MEMBER_EPOCH,
          STALE_MEMBER_EPOCH,
          UNRELEASED_INSTANCE_ID,
          OUT_OF_ORDER_SEQUENCE,
          DUPLICATE_SEQUENCE,
          PRODUCER_FENCED,
          UNKNOWN_PRODUCER_ID,
          INVALID_PRODUCER_EPOCH,
          FENCED_LEADER_EPOCH ->
          HttpResponseStatus.CONFLICT;
      case RECORD_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      case OFFSET_OUT_OF_RANGE -> HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
      case NOT_LEADER,
          LEADER_NOT_AVAILABLE,
          NOT_CONTROLLER,
          NOT_COORDINATOR,
          COORDINATOR_LOADING,
          NOT_ENOUGH_REPLICAS,
          NODE_SHUTTING_DOWN ->
          HttpResponseStatus.SERVICE_UNAVAILABLE;
      case REQUEST_TIMED_OUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case STORAGE_FULL -> INSUFFICIENT_STORAGE;
      case THROTTLED -> HttpResponseStatus.TOO_MANY_REQUESTS;
    };
  }

  /** Statuses that carry {@code Retry-After}: the same request may succeed shortly. */
  static boolean retriable(HttpResponseStatus status) {
    return status.code() == 429 || status.code() == 503;
  }
}
