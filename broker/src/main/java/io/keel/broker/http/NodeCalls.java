package io.keel.broker.http;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.transport.PeerChannels;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelShareGrpc;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls the {@code KeelClient} and {@code KeelShare} APIs on a node: on this node in-process,
 * straight into the same service objects the gRPC server runs (no serialization, no socket), and on
 * another node over gRPC. The HTTP API forwards a partition's request to its leader and a group's
 * to its coordinator, so an HTTP client may talk to any node.
 */
final class NodeCalls implements AutoCloseable {

  /** One RPC: its gRPC method, and how to invoke it on the local services. */
  record Rpc<Q, R>(MethodDescriptor<Q, R> method, LocalCall<Q, R> local) {}

  /** The services this node's gRPC server runs, called in-process for local requests. */
  record LocalServices(KeelClientGrpc.AsyncService client, KeelShareGrpc.AsyncService share) {}

  @FunctionalInterface
  interface LocalCall<Q, R> {
    void invoke(LocalServices services, Q request, StreamObserver<R> observer);
  }

  private final int selfId;
  private final LocalServices local;
  private final MetadataView metadata;
  private final PeerChannels channels = new PeerChannels();

  NodeCalls(int selfId, LocalServices local, MetadataView metadata) {
    this.selfId = selfId;
    this.local = local;
    this.metadata = metadata;
  }

  int selfId() {
    return selfId;
  }

  <Q, R> CompletableFuture<R> call(int nodeId, Rpc<Q, R> rpc, Q request, Duration timeout) {
    if (nodeId == selfId || nodeId == 0) {
      FutureObserver<R> observer = new FutureObserver<>();
      try {
        rpc.local().invoke(local, request, observer);
      } catch (RuntimeException e) {
        observer.onError(e); // e.g. a service closing under a late call
      }
      return observer.result;
    }
    Optional<BrokerInfo> node = metadata.broker(nodeId);
    if (node.isEmpty()) {
      return CompletableFuture.failedFuture(
          new HttpApiException(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              ErrorCode.LEADER_NOT_AVAILABLE,
              null,
              "node " + nodeId + " is not registered with the controller"));
    }
    ManagedChannel channel = channels.get(node.get().clientAddress());
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    FutureObserver<R> observer = new FutureObserver<>();
    ClientCalls.asyncUnaryCall(channel.newCall(rpc.method(), options), request, observer);
    return observer.result;
  }

  private static final class FutureObserver<R> implements StreamObserver<R> {
    final CompletableFuture<R> result = new CompletableFuture<>();

    @Override
    public void onNext(R value) {
      result.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      if (!result.isDone()) {
        result.completeExceptionally(new IllegalStateException("call completed without a reply"));
      }
    }
  }

  @Override
  public void close() {
    channels.close();
  }
}
