package io.keel.client.internal;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceStreamRequest;
import io.keel.proto.ProduceStreamResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The producer's {@code ProduceStream} to each node: opened on first use, replaced once it breaks.
 * The node starts a stream's requests in the order they were sent, which keeps one producer's
 * batches to a partition in order with several in flight. A node that does not serve the stream
 * ({@code UNIMPLEMENTED}) gets unary Produce calls from then on. Sender thread only, except the
 * {@link Listener} callbacks, which run on gRPC threads.
 */
final class ProduceStreams implements AutoCloseable {
  /** Answers and breaks of a stream; called on gRPC threads. */
  interface Listener {
    void onResponse(Stream stream, ProduceStreamResponse response);

    void onBroken(Stream stream, Throwable error);
  }

  private final ChannelPool channels;
  private final Listener listener;
  private final Map<Integer, Stream> open = new HashMap<>();
  private final Set<Integer> unaryOnly = new HashSet<>();

  ProduceStreams(ChannelPool channels, Listener listener) {
    this.channels = channels;
    this.listener = listener;
  }

  /** False once the node answered that it does not serve the stream. */
  boolean supported(int nodeId) {
    return !unaryOnly.contains(nodeId);
  }

  /** The open stream to {@code nodeId}, opening one to {@code address} if there is none. */
  Stream to(int nodeId, HostPort address) {
    Stream stream = open.get(nodeId);
    if (stream == null || !stream.address.equals(address)) {
      if (stream != null) {
        stream.cancel("node " + nodeId + " moved to " + address);
      }
      stream = new Stream(nodeId, address);
      open.put(nodeId, stream);
    }
    return stream;
  }

  /**
   * Forgets a broken stream (the next request opens a new one); {@code UNIMPLEMENTED} turns the
   * node to unary Produce.
   */
  void onBroken(Stream stream, Throwable error) {
    open.remove(stream.nodeId, stream);
    if (Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED) {
      unaryOnly.add(stream.nodeId);
    }
  }

  /** Cancels a stream whose answers are overdue; its requests are then failed by the caller. */
  void cancel(Stream stream, String why) {
    open.remove(stream.nodeId, stream);
    stream.cancel(why);
  }

  /** Half-closes every stream: each node finishes it once its answers are written. */
  @Override
  public void close() {
    open.values().forEach(Stream::halfClose);
    open.clear();
  }

  /** One stream to one node. */
  final class Stream implements StreamObserver<ProduceStreamResponse> {
    final int nodeId;
    private final HostPort address;
    private final ClientCallStreamObserver<ProduceStreamRequest> requests;

    private Stream(int nodeId, HostPort address) {
      this.nodeId = nodeId;
      this.address = address;
      this.requests =
          (ClientCallStreamObserver<ProduceStreamRequest>)
              channels.streamStub(address).produceStream(this);
    }

    void send(long requestId, ProduceRequest request) {
      requests.onNext(
          ProduceStreamRequest.newBuilder().setRequestId(requestId).setRequest(request).build());
    }

    private void cancel(String why) {
      requests.cancel(why, null);
    }

    private void halfClose() {
      requests.onCompleted();
    }

    @Override
    public void onNext(ProduceStreamResponse response) {
      listener.onResponse(this, response);
    }

    @Override
    public void onError(Throwable t) {
      listener.onBroken(this, t);
    }

    @Override
    public void onCompleted() {
      listener.onBroken(
          this, Status.UNAVAILABLE.withDescription("node ended the stream").asRuntimeException());
    }
  }
}
