package io.keel.broker.http;

import io.keel.broker.http.NodeCalls.Rpc;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.LeaveGroupResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ListTopicsResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;

/** The RPCs the HTTP API forwards to other nodes. */
final class Rpcs {
  static final Rpc<ProduceRequest, ProduceResponse> PRODUCE =
      new Rpc<>(KeelClientGrpc.getProduceMethod(), KeelClientGrpc.AsyncService::produce);
  static final Rpc<FetchRequest, FetchResponse> FETCH =
      new Rpc<>(KeelClientGrpc.getFetchMethod(), KeelClientGrpc.AsyncService::fetch);
  static final Rpc<ListOffsetsRequest, ListOffsetsResponse> LIST_OFFSETS =
      new Rpc<>(KeelClientGrpc.getListOffsetsMethod(), KeelClientGrpc.AsyncService::listOffsets);
  static final Rpc<FindCoordinatorRequest, FindCoordinatorResponse> FIND_COORDINATOR =
      new Rpc<>(
          KeelClientGrpc.getFindCoordinatorMethod(), KeelClientGrpc.AsyncService::findCoordinator);
  static final Rpc<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse> HEARTBEAT =
      new Rpc<>(
          KeelClientGrpc.getConsumerGroupHeartbeatMethod(),
          KeelClientGrpc.AsyncService::consumerGroupHeartbeat);
  static final Rpc<CommitOffsetsRequest, CommitOffsetsResponse> COMMIT =
      new Rpc<>(
          KeelClientGrpc.getCommitOffsetsMethod(), KeelClientGrpc.AsyncService::commitOffsets);
  static final Rpc<FetchOffsetsRequest, FetchOffsetsResponse> FETCH_OFFSETS =
      new Rpc<>(KeelClientGrpc.getFetchOffsetsMethod(), KeelClientGrpc.AsyncService::fetchOffsets);

  static final Rpc<ListTopicsRequest, ListTopicsResponse> LIST_TOPICS =
      new Rpc<>(KeelClientGrpc.getListTopicsMethod(), KeelClientGrpc.AsyncService::listTopics);
  static final Rpc<DescribeTopicsRequest, DescribeTopicsResponse> DESCRIBE_TOPICS =
      new Rpc<>(
          KeelClientGrpc.getDescribeTopicsMethod(), KeelClientGrpc.AsyncService::describeTopics);
  static final Rpc<CreateTopicsRequest, CreateTopicsResponse> CREATE_TOPICS =
      new Rpc<>(KeelClientGrpc.getCreateTopicsMethod(), KeelClientGrpc.AsyncService::createTopics);
  static final Rpc<DescribeClusterRequest, DescribeClusterResponse> DESCRIBE_CLUSTER =
      new Rpc<>(
          KeelClientGrpc.getDescribeClusterMethod(), KeelClientGrpc.AsyncService::describeCluster);
  static final Rpc<LeaveGroupRequest, LeaveGroupResponse> LEAVE_GROUP =
      new Rpc<>(KeelClientGrpc.getLeaveGroupMethod(), KeelClientGrpc.AsyncService::leaveGroup);

  private Rpcs() {}
}
