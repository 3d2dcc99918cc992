package io.keel.broker.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keel.broker.raft.NodeStopping;
import io.keel.proto.ErrorCode;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.proto.ProduceStreamRequest;
import io.keel.proto.ProduceStreamResponse;
import java.util.concurrent.CompletableFuture;

/**
 * One client's {@code ProduceStream}. gRPC delivers a stream's requests one at a time, and each is
 * handed to its partitions' loops before the next is read, so the loops see one producer's batches
 * in send order. Answers complete on the partition loops, in any order, and are written under this
 * object's lock (a {@link StreamObserver} is not thread-safe). The response stream ends once the
 * client has half-closed and every request is answered.
 */
final class ProduceStreamHandler implements StreamObserver<ProduceStreamRequest> {
  private final PartitionRequests partitions;
  private final StreamObserver<ProduceStreamResponse> out;
  // Guarded by this.
  private int unanswered;
  private boolean halfClosed;
  private boolean done;

  ProduceStreamHandler(
      PartitionRequests partitions, ServerCallStreamObserver<ProduceStreamResponse> out) {
    this.partitions = partitions;
    this.out = out;
    // Without a handler gRPC throws from onNext once the client has gone; with one it drops.
    out.setOnCancelHandler(this::cancelled);
  }

  @Override
  public void onNext(ProduceStreamRequest request) {
    synchronized (this) {
      unanswered++;
    }
    long id = request.getRequestId();
    CompletableFuture<ProduceResponse> answer;
    try {
      answer = partitions.produce(request.getRequest());
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (response, err) ->
            answer(id, err == null ? response : unexpected(request.getRequest(), err)));
  }

  static ProduceResponse unexpected(ProduceRequest request, Throwable err) {
    Throwable cause = ErrorDetails.unwrap(err);
    return PartitionRequests.failAll(
        request,
        NodeStopping.causedBy(cause)
            ? ErrorDetails.of(ErrorCode.NODE_SHUTTING_DOWN, NodeStopping.message(cause))
            : ErrorDetails.of(
                ErrorCode.UNKNOWN, cause.getClass().getSimpleName() + ": " + cause.getMessage()));
  }

  private synchronized void answer(long id, ProduceResponse response) {
    unanswered--;
    if (done) {
      return;
    }
    out.onNext(ProduceStreamResponse.newBuilder().setRequestId(id).setResponse(response).build());
    maybeComplete();
  }

  @Override
  public synchronized void onCompleted() {
    halfClosed = true;
    maybeComplete();
  }

  @Override
  public synchronized void onError(Throwable t) {
    done = true; // the client cancelled or the connection broke: nobody reads the answers
  }

  private synchronized void cancelled() {
    done = true;
  }

  private void maybeComplete() {
    if (halfClosed && unanswered == 0 && !done) {
      done = true;
      out.onCompleted();
    }
  }
}
