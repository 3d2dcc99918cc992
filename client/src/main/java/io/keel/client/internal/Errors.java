package io.keel.client.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.keel.client.CoordinatorNotAvailableException;
import io.keel.client.CorruptRecordException;
import io.keel.client.GroupException;
import io.keel.client.InvalidConfigException;
import io.keel.client.InvalidRequestException;
import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.NotEnoughReplicasException;
import io.keel.client.NotLeaderException;
import io.keel.client.OffsetOutOfRangeException;
import io.keel.client.OutOfOrderSequenceException;
import io.keel.client.ProducerFencedException;
import io.keel.client.RecordTooLargeException;
import io.keel.client.RetriableException;
import io.keel.client.StorageFullException;
import io.keel.client.TopicExistsException;
import io.keel.client.TopicPartition;
import io.keel.client.UnknownProducerIdException;
import io.keel.client.UnknownTopicException;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps the broker's error codes and gRPC failures to the client's exception types. */
public final class Errors {
  private Errors() {}

  /**
   * The exception for a non-NONE error code. {@code context} names what failed (a partition, topic
   * or group); the broker's message follows.
   */
  public static KeelException toException(ErrorDetail error, String context) {
    ErrorCode code = error.getCode();
    String message = code + " for " + context + describe(error.getMessage());
    return switch (code) {
      case NONE -> throw new IllegalArgumentException("NONE is not an error (" + context + ")");
      case UNKNOWN, UNRECOGNIZED, DUPLICATE_SEQUENCE -> new KeelException(message);
      case NOT_LEADER, NOT_CONTROLLER, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH ->
          new NotLeaderException(message);
      case UNKNOWN_TOPIC_OR_PARTITION -> new UnknownTopicException(message);
      case RECORD_TOO_LARGE -> new RecordTooLargeException(message);
      case CORRUPT_BATCH -> new CorruptRecordException(message);
      case INVALID_REQUEST,
          INVALID_PARTITIONS,
          INVALID_REPLICATION_FACTOR,
          INVALID_TOPIC_NAME,
          INVALID_GROUP_ID,
          UNSUPPORTED_ASSIGNOR ->
          new InvalidRequestException(message);
      case INVALID_CONFIG -> new InvalidConfigException(message);
      case OUT_OF_ORDER_SEQUENCE -> new OutOfOrderSequenceException(message);
      case PRODUCER_FENCED, INVALID_PRODUCER_EPOCH -> new ProducerFencedException(message);
      case UNKNOWN_PRODUCER_ID -> new UnknownProducerIdException(message);
      case TOPIC_ALREADY_EXISTS -> new TopicExistsException(message);
      case REQUEST_TIMED_OUT -> new KeelTimeoutException(message);
      case NOT_ENOUGH_REPLICAS -> new NotEnoughReplicasException(message);
      case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(null, -1, message);
      case STORAGE_FULL -> new StorageFullException(message);
      case NOT_COORDINATOR, COORDINATOR_LOADING -> new CoordinatorNotAvailableException(message);
      case UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, GROUP_NOT_EMPTY, GROUP_ID_NOT_FOUND ->
          new GroupException(message);
      case STALE_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID -> new RetriableException(message);
      case NODE_SHUTTING_DOWN, THROTTLED -> new RetriableException(message);
    };
  }

  public static KeelException toException(ErrorDetail error, TopicPartition tp) {
    return toException(error, "partition " + tp);
  }

  public static boolean isError(ErrorDetail error) {
    return error.getCode() != ErrorCode.NONE;
  }

  /** True when the error means our view of leadership is stale. */
  public static boolean needsMetadataRefresh(ErrorCode code) {
    return switch (code) {
      case NOT_LEADER,
          NOT_CONTROLLER,
          LEADER_NOT_AVAILABLE,
          FENCED_LEADER_EPOCH,
          UNKNOWN_TOPIC_OR_PARTITION,
          NODE_SHUTTING_DOWN,
          NOT_COORDINATOR ->
          true;
      default -> false;
    };
  }

  /** Maps a failed RPC (transport error, deadline) to a client exception. */
  public static KeelException fromRpcFailure(Throwable t, String context) {
    Throwable cause = unwrap(t);
    if (cause instanceof KeelException k) {
      return k;
    }
    if (cause instanceof StatusRuntimeException sre) {
      Status status = sre.getStatus();
      String message = context + " failed: " + status.getCode() + describe(status.getDescription());
      return switch (status.getCode()) {
        case DEADLINE_EXCEEDED -> new KeelTimeoutException(message, sre);
        case UNAVAILABLE, CANCELLED, ABORTED, RESOURCE_EXHAUSTED, UNKNOWN, INTERNAL ->
            new RetriableException(message, sre);
        case OK,
            INVALID_ARGUMENT,
            NOT_FOUND,
            ALREADY_EXISTS,
            PERMISSION_DENIED,
            FAILED_PRECONDITION,
            OUT_OF_RANGE,
            UNIMPLEMENTED,
            DATA_LOSS,
            UNAUTHENTICATED ->
            new KeelException(message, sre);
      };
    }
    return new KeelException(context + " failed: " + cause, cause);
  }

  public static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static String describe(String brokerMessage) {
    return brokerMessage == null || brokerMessage.isEmpty() ? "" : ": " + brokerMessage;
  }
}
