package io.keel.broker.http;

import io.grpc.MethodDescriptor;
import io.grpc.stub.StreamObserver;
import io.keel.broker.http.NodeCalls.Rpc;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.DescribeShareGroupRequest;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelShareGrpc;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.LeaveGroupResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ListTopicsResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.proto.ShareAcknowledgeRequest;
import io.keel.proto.ShareAcknowledgeResponse;
import io.keel.proto.ShareFetchRequest;
import io.keel.proto.ShareFetchResponse;
import io.keel.proto.ShareGroupHeartbeatRequest;
import io.keel.proto.ShareGroupHeartbeatResponse;

/** The RPCs the HTTP API forwards to other nodes. */
final class Rpcs {
  static final Rpc<ProduceRequest, ProduceResponse> PRODUCE =
      client(KeelClientGrpc.getProduceMethod(), KeelClientGrpc.AsyncService::produce);
  static final Rpc<FetchRequest, FetchResponse> FETCH =
      client(KeelClientGrpc.getFetchMethod(), KeelClientGrpc.AsyncService::fetch);
  static final Rpc<ListOffsetsRequest, ListOffsetsResponse> LIST_OFFSETS =
      client(KeelClientGrpc.getListOffsetsMethod(), KeelClientGrpc.AsyncService::listOffsets);
  static final Rpc<FindCoordinatorRequest, FindCoordinatorResponse> FIND_COORDINATOR =
      client(
          KeelClientGrpc.getFindCoordinatorMethod(), KeelClientGrpc.AsyncService::findCoordinator);
  static final Rpc<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> HEARTBEAT =
      client(
          KeelClientGrpc.getConsumerGroupHeartbeatMethod(),
          KeelClientGrpc.AsyncService::consumerGroupHeartbeat);
  static final Rpc<CommitOffsetsRequest, CommitOffsetsResponse> COMMIT =
      client(KeelClientGrpc.getCommitOffsetsMethod(), KeelClientGrpc.AsyncService::commitOffsets);
  static final Rpc<FetchOffsetsRequest, FetchOffsetsResponse> FETCH_OFFSETS =
      client(KeelClientGrpc.getFetchOffsetsMethod(), KeelClientGrpc.AsyncService::fetchOffsets);

  static final Rpc<ListTopicsRequest, ListTopicsResponse> LIST_TOPICS =
      client(KeelClientGrpc.getListTopicsMethod(), KeelClientGrpc.AsyncService::listTopics);
  static final Rpc<DescribeTopicsRequest, DescribeTopicsResponse> DESCRIBE_TOPICS =
      client(KeelClientGrpc.getDescribeTopicsMethod(), KeelClientGrpc.AsyncService::describeTopics);
  static final Rpc<CreateTopicsRequest, CreateTopicsResponse> CREATE_TOPICS =
      client(KeelClientGrpc.getCreateTopicsMethod(), KeelClientGrpc.AsyncService::createTopics);
  static final Rpc<DescribeClusterRequest, DescribeClusterResponse> DESCRIBE_CLUSTER =
      client(
          KeelClientGrpc.getDescribeClusterMethod(), KeelClientGrpc.AsyncService::describeCluster);
  static final Rpc<LeaveGroupRequest, LeaveGroupResponse> LEAVE_GROUP =
      client(KeelClientGrpc.getLeaveGroupMethod(), KeelClientGrpc.AsyncService::leaveGroup);

  static final Rpc<ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse> SHARE_HEARTBEAT =
      share(
          KeelShareGrpc.getShareGroupHeartbeatMethod(),
          KeelShareGrpc.AsyncService::shareGroupHeartbeat);
  static final Rpc<ShareFetchRequest, ShareFetchResponse> SHARE_FETCH =
      share(KeelShareGrpc.getShareFetchMethod(), KeelShareGrpc.AsyncService::shareFetch);
  static final Rpc<ShareAcknowledgeRequest, ShareAcknowledgeResponse> SHARE_ACKNOWLEDGE =
      share(
          KeelShareGrpc.getShareAcknowledgeMethod(), KeelShareGrpc.AsyncService::shareAcknowledge);
  static final Rpc<DescribeShareGroupRequest, DescribeShareGroupResponse> DESCRIBE_SHARE_GROUP =
      share(
          KeelShareGrpc.getDescribeShareGroupMethod(),
          KeelShareGrpc.AsyncService::describeShareGroup);

  @FunctionalInterface
  private interface Call<S, Q, R> {
    void invoke(S service, Q request, StreamObserver<R> observer);
  }

  private static <Q, R> Rpc<Q, R> client(
      MethodDescriptor<Q, R> method, Call<KeelClientGrpc.AsyncService, Q, R> call) {
    return new Rpc<>(method, (s, q, o) -> call.invoke(s.client(), q, o));
  }

  private static <Q, R> Rpc<Q, R> share(
      MethodDescriptor<Q, R> method, Call<KeelShareGrpc.AsyncService, Q, R> call) {
    return new Rpc<>(method, (s, q, o) -> call.invoke(s.share(), q, o));
  }

  private Rpcs() {}
}
