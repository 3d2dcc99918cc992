package io.keel.client.internal;

import io.grpc.StatusRuntimeException;
import io.keel.client.KeelException;
import io.keel.client.KeelTimeoutException;
import io.keel.client.RetriableException;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelShareGrpc.KeelShareBlockingStub;
import java.util.function.Function;

/**
 * Calls a share group's coordinator (KeelShare), finding it again and retrying while it moves,
 * loads or is unreachable. Used by the share consumer and the admin's describe. Thread-safe.
 */
public final class ShareCoordinatorClient {
  private final String groupId;
  private final MetadataManager metadata;
  private final BlockingRpc rpc;
  private final ChannelPool channels;
  private final int requestTimeoutMs;
  private final long retryBackoffMs;
  private volatile GroupCoordinatorClient coordinator;

  public ShareCoordinatorClient(
      String groupId,
      MetadataManager metadata,
      BlockingRpc rpc,
      ChannelPool channels,
      int requestTimeoutMs,
      long retryBackoffMs) {
    this.groupId = groupId;
    this.metadata = metadata;
    this.rpc = rpc;
    this.channels = channels;
    this.requestTimeoutMs = requestTimeoutMs;
    this.retryBackoffMs = retryBackoffMs;
    this.coordinator = new GroupCoordinatorClient(groupId, metadata, rpc);
  }

  /**
   * Calls until the response carries no routing error, a non-retriable error is thrown, or {@code
   * deadlineNanos} passes (KeelTimeoutException naming the last failure).
   */
  public <T> T call(
      Function<KeelShareBlockingStub, T> rpcCall,
      Function<T, ErrorDetail> error,
      long deadlineNanos) {
    RuntimeException last = null;
    while (System.nanoTime() < deadlineNanos) {
      try {
        HostPort at = coordinator.coordinator(deadlineNanos);
        T response = rpcCall.apply(channels.shareStub(at, requestTimeoutMs));
        ErrorDetail e = error.apply(response);
        if (!Errors.isError(e)) {
          return response;
        }
        if (e.getCode() != ErrorCode.NOT_COORDINATOR
            && e.getCode() != ErrorCode.COORDINATOR_LOADING
            && e.getCode() != ErrorCode.LEADER_NOT_AVAILABLE) {
          throw Errors.toException(e, "share group " + groupId);
        }
        last = Errors.toException(e, "share group " + groupId);
      } catch (StatusRuntimeException | RetriableException e) {
        last = e;
      }
      coordinator = new GroupCoordinatorClient(groupId, metadata, rpc);
      try {
        Thread.sleep(retryBackoffMs);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new KeelException("interrupted", ie);
      }
    }
    throw new KeelTimeoutException("share group " + groupId + ": no answer in time: " + last, last);
  }
}
