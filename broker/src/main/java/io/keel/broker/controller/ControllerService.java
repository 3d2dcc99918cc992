package io.keel.broker.controller;

import io.grpc.stub.StreamObserver;
import io.keel.proto.AlterTopicConfigsRequest;
import io.keel.proto.AlterTopicConfigsResponse;
import io.keel.proto.BrokerHeartbeatRequest;
import io.keel.proto.BrokerHeartbeatResponse;
import io.keel.proto.ControllerCreateTopicsRequest;
import io.keel.proto.ControllerCreateTopicsResponse;
import io.keel.proto.ControllerDeleteTopicsRequest;
import io.keel.proto.ControllerDeleteTopicsResponse;
import io.keel.proto.ControllerError;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelControllerGrpc;
import io.keel.proto.RegisterBrokerRequest;
import io.keel.proto.RegisterBrokerResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * gRPC adapter of {@link QuorumController}. A node outside the controller quorum answers
 * NOT_CONTROLLER with the leader it knows of.
 */
public final class ControllerService extends KeelControllerGrpc.KeelControllerImplBase {
  private final QuorumController controller; // null on nodes outside the quorum
  private final MetadataView metadata;

  public ControllerService(QuorumController controller, MetadataView metadata) {
    this.controller = controller;
    this.metadata = metadata;
  }

  @Override
  public void registerBroker(
      RegisterBrokerRequest request, StreamObserver<RegisterBrokerResponse> out) {
    answer(
        out,
        c -> c.register(request),
        e -> RegisterBrokerResponse.newBuilder().setError(e).build());
  }

  @Override
  public void brokerHeartbeat(
      BrokerHeartbeatRequest request, StreamObserver<BrokerHeartbeatResponse> out) {
    answer(
        out,
        c -> c.heartbeat(request),
        e -> BrokerHeartbeatResponse.newBuilder().setError(e).build());
  }

  @Override
  public void createTopics(
      ControllerCreateTopicsRequest request, StreamObserver<ControllerCreateTopicsResponse> out) {
    answer(
        out,
        c -> c.createTopics(request.getRequest()),
        e -> ControllerCreateTopicsResponse.newBuilder().setError(e).build());
  }

  @Override
  public void deleteTopics(
      ControllerDeleteTopicsRequest request, StreamObserver<ControllerDeleteTopicsResponse> out) {
    answer(
        out,
        c -> c.deleteTopics(request.getTopicsList()),
        e -> ControllerDeleteTopicsResponse.newBuilder().setError(e).build());
  }

  @Override
  public void alterTopicConfigs(
      AlterTopicConfigsRequest request, StreamObserver<AlterTopicConfigsResponse> out) {
    answer(
        out,
        c -> c.alterTopicConfigs(request),
        e -> AlterTopicConfigsResponse.newBuilder().setError(e).build());
  }

  private <T> void answer(
      StreamObserver<T> out,
      Function<QuorumController, CompletableFuture<T>> call,
      Function<ControllerError, T> notController) {
    if (controller == null) {
      out.onNext(
          notController.apply(
              ControllerError.newBuilder()
                  .setCode(ErrorCode.NOT_CONTROLLER)
                  .setMessage("this node is not in the controller quorum")
                  .setLeaderId(metadata.controllerLeaderId())
                  .build()));
      out.onCompleted();
      return;
    }
    call.apply(controller)
        .whenComplete(
            (value, failure) -> {
              if (failure != null) {
                out.onError(failure);
              } else {
                out.onNext(value);
                out.onCompleted();
              }
            });
  }
}
