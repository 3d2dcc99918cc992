package io.keel.broker.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.keel.broker.controller.ControllerClient;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.group.GroupCoordinatorService;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.ProducerIdAllocator;
import io.keel.proto.CheckGroupMemberRequest;
import io.keel.proto.CheckGroupMemberResponse;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DeleteGroupsRequest;
import io.keel.proto.DeleteGroupsResponse;
import io.keel.proto.DeleteTopicsRequest;
import io.keel.proto.DeleteTopicsResponse;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.DescribeGroupsResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.InitProducerIdRequest;
import io.keel.proto.InitProducerIdResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.LeaveGroupResponse;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.ListGroupsResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ListTopicsResponse;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.proto.ProduceStreamRequest;
import io.keel.proto.ProduceStreamResponse;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.ResetOffsetsResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The gRPC {@code KeelClient} service: a thin adapter that validates, maps proto to domain, hands
 * the work to the partition's loop or the controller, and completes the observer. Errors of one
 * topic or partition are typed {@code ErrorDetail}s in the response; a gRPC status error means the
 * request itself could not be served. Consumer-group RPCs go to the {@link
 * GroupCoordinatorService}.
 */
public final class KeelClientService extends KeelClientGrpc.KeelClientImplBase {
  private final PartitionRequests partitions;
  private final ClusterRequests cluster;
  private final TopicDescriber topics;
  private final ControllerClient controller;
  private final ProducerIdAllocator producerIds;
  private final GroupCoordinatorService groups;

  public KeelClientService(
      int nodeId,
      String clusterId,
      PartitionManager partitionManager,
      MetadataView metadata,
      ControllerClient controller,
      ProducerIdAllocator producerIds,
      ApiSettings settings,
      ScheduledExecutorService timer,
      GroupCoordinatorService groups,
      PeerStubs peers) {
    LeaderResolver leaders = new LeaderResolver(partitionManager, metadata);
    ErrorDetails errors = new ErrorDetails(metadata, leaders);
    PartitionRouter router = new PartitionRouter(partitionManager, metadata, leaders, errors);
    this.partitions =
        new PartitionRequests(
            router,
            metadata,
            errors,
            settings,
            timer,
            (group, member, epoch) -> groups.checkFetchMember(group, member, epoch));
    this.cluster = new ClusterRequests(clusterId, partitionManager, metadata, leaders);
    this.topics = new TopicDescriber(nodeId, partitionManager, metadata, leaders, errors, peers);
    this.controller = controller;
    this.producerIds = producerIds;
    this.groups = groups;
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<ProduceResponse> observer) {
    reply(partitions.produce(request), observer);
  }

  @Override
  public StreamObserver<ProduceStreamRequest> produceStream(
      StreamObserver<ProduceStreamResponse> observer) {
    return new ProduceStreamHandler(
        partitions, (ServerCallStreamObserver<ProduceStreamResponse>) observer);
  }

  @Override
  public void fetch(FetchRequest request, StreamObserver<FetchResponse> observer) {
    reply(partitions.fetch(request), observer);
  }

  @Override
  public void listOffsets(
      ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> observer) {
    reply(partitions.listOffsets(request), observer);
  }

  @Override
  public void initProducerId(
      InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> observer) {
    reply(now(() -> initProducerId(request)), observer);
  }

  private InitProducerIdResponse initProducerId(InitProducerIdRequest request) {
    long id = request.getProducerId();
    int epoch = request.getProducerEpoch();
    InitProducerIdResponse.Builder out = InitProducerIdResponse.newBuilder();
    if (id >= 0 && epoch >= 0 && epoch < Short.MAX_VALUE) {
      // Bumping the epoch fences the producer's older incarnation on every partition.
      return out.setProducerId(id).setProducerEpoch(epoch + 1).build();
    }
    if (id >= 0 && epoch < 0) {
      return out.setProducerId(-1)
          .setProducerEpoch(-1)
          .setError(
              ErrorDetails.of(
                  ErrorCode.INVALID_REQUEST,
                  "producer_epoch must be >= 0 when producer_id is set, was " + epoch))
          .build();
    }
    if (id < -1) {
      return out.setProducerId(-1)
          .setProducerEpoch(-1)
          .setError(
              ErrorDetails.of(ErrorCode.INVALID_REQUEST, "producer_id must be >= -1, was " + id))
          .build();
    }
    return out.setProducerId(producerIds.nextProducerId()).setProducerEpoch(0).build();
  }

  @Override
  public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> observer) {
    reply(now(() -> cluster.metadata(request)), observer);
  }

  @Override
  public void describeCluster(
      DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
    reply(now(() -> cluster.describeCluster()), observer);
  }

  @Override
  public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> observer) {
    reply(now(() -> cluster.listTopics(request)), observer);
  }

  @Override
  public void describeTopics(
      DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> observer) {
    reply(topics.describe(request), observer);
  }

  @Override
  public void createTopics(
      CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> observer) {
    reply(controller.createTopics(request), observer);
  }

  @Override
  public void deleteTopics(
      DeleteTopicsRequest request, StreamObserver<DeleteTopicsResponse> observer) {
    reply(controller.deleteTopics(request), observer);
  }

  // ------------------------------------------------------------------ consumer groups

  @Override
  public void findCoordinator(
      FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> observer) {
    reply(groups.findCoordinator(request), observer);
  }

  @Override
  public void consumerGroupHeartbeat(
      ConsumerGroupHeartbeatRequest request,
      StreamObserver<ConsumerGroupHeartbeatResponse> observer) {
    reply(groups.heartbeat(request), observer);
  }

  @Override
  public void leaveGroup(LeaveGroupRequest request, StreamObserver<LeaveGroupResponse> observer) {
    reply(groups.leaveGroup(request), observer);
  }

  @Override
  public void commitOffsets(
      CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> observer) {
    reply(groups.commitOffsets(request), observer);
  }

  @Override
  public void fetchOffsets(
      FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> observer) {
    reply(groups.fetchOffsets(request), observer);
  }

  @Override
  public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> observer) {
    reply(groups.listGroups(request), observer);
  }

  @Override
  public void describeGroups(
      DescribeGroupsRequest request, StreamObserver<DescribeGroupsResponse> observer) {
    reply(groups.describeGroups(request), observer);
  }

  @Override
  public void deleteGroups(
      DeleteGroupsRequest request, StreamObserver<DeleteGroupsResponse> observer) {
    reply(groups.deleteGroups(request), observer);
  }

  @Override
  public void resetOffsets(
      ResetOffsetsRequest request, StreamObserver<ResetOffsetsResponse> observer) {
    reply(groups.resetOffsets(request), observer);
  }

  /** Internal: the partition leader of a group fetch asks this node, the group's coordinator. */
  @Override
  public void checkGroupMember(
      CheckGroupMemberRequest request, StreamObserver<CheckGroupMemberResponse> observer) {
    reply(groups.checkGroupMember(request), observer);
  }

  /** Runs a synchronous handler, turning an unexpected exception into a failed reply. */
  private static <T> CompletableFuture<T> now(Supplier<T> handler) {
    try {
      return CompletableFuture.completedFuture(handler.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static <T> void reply(CompletableFuture<T> response, StreamObserver<T> observer) {
    response.whenComplete(
        (value, err) -> {
          if (err == null) {
            observer.onNext(value);
            observer.onCompleted();
          } else {
            Throwable cause = ErrorDetails.unwrap(err);
            observer.onError(
                Status.INTERNAL
                    .withDescription(cause.getClass().getSimpleName() + ": " + cause.getMessage())
                    .withCause(cause)
                    .asRuntimeException());
          }
        });
  }
}
