package io.keel.client.testing;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.keel.client.testing.FakeKeelCluster.ProduceFault;
import io.keel.client.testing.FakePartition.ProducerEntry;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.CommittedOffset;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.FetchResponse;
import io.keel.proto.FindCoordinatorRequest;
import io.keel.proto.FindCoordinatorResponse;
import io.keel.proto.InitProducerIdRequest;
import io.keel.proto.InitProducerIdResponse;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.LeaderHint;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsPartitionResponse;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.ListOffsetsResponse;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ListTopicsResponse;
import io.keel.proto.MetadataRequest;
import io.keel.proto.MetadataResponse;
import io.keel.proto.NewTopic;
import io.keel.proto.Node;
import io.keel.proto.NodeStatus;
import io.keel.proto.OffsetSpec;
import io.keel.proto.PartitionDescription;
import io.keel.proto.PartitionMetadata;
import io.keel.proto.PartitionResult;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.proto.TopicDescription;
import io.keel.proto.TopicListing;
import io.keel.proto.TopicMetadata;
import io.keel.proto.TopicPartitions;
import io.keel.proto.records.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One fake node's KeelClient service; all nodes share the cluster's state and lock. */
final class FakeNodeService extends KeelClientGrpc.KeelClientImplBase {
  private final FakeKeelCluster cluster;
  private final int nodeId;

  FakeNodeService(FakeKeelCluster cluster, int nodeId) {
    this.cluster = cluster;
    this.nodeId = nodeId;
  }

  private static ErrorDetail error(ErrorCode code, String message) {
    return ErrorDetail.newBuilder().setCode(code).setMessage(message).build();
  }

  private ErrorDetail notLeader(FakePartition p) {
    String[] hostPort = cluster.nodes.get(p.leaderId).split(":");
    return ErrorDetail.newBuilder()
        .setCode(ErrorCode.NOT_LEADER)
        .setMessage("node " + nodeId + " does not lead")
        .setLeader(
            LeaderHint.newBuilder()
                .setLeaderId(p.leaderId)
                .setLeaderEpoch(p.leaderEpoch)
                .setHost(hostPort[0])
                .setPort(Integer.parseInt(hostPort[1])))
        .build();
  }

  @Override
  public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> out) {
    cluster.metadataRequests.incrementAndGet();
    cluster.awaitNodeResumed(nodeId);
    MetadataResponse.Builder response =
        MetadataResponse.newBuilder().setControllerId(FakeKeelCluster.CONTROLLER_ID);
    cluster.nodes.forEach(
        (id, address) -> {
          String[] hp = address.split(":");
          response.addNodes(
              Node.newBuilder().setId(id).setHost(hp[0]).setPort(Integer.parseInt(hp[1])));
        });
    synchronized (cluster.lock) {
      cluster.topics.forEach(
          (name, partitions) -> {
            TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName(name);
            for (int i = 0; i < partitions.size(); i++) {
              FakePartition p = partitions.get(i);
              topic.addPartitions(
                  PartitionMetadata.newBuilder()
                      .setPartition(i)
                      .setLeaderId(p.leaderId)
                      .setLeaderEpoch(p.leaderEpoch)
                      .addReplicas(p.leaderId)
                      .addInSyncReplicas(p.leaderId));
            }
            response.addTopics(topic);
          });
      for (String name : request.getTopicsList()) {
        if (!cluster.topics.containsKey(name)) {
          response.addTopics(
              TopicMetadata.newBuilder()
                  .setName(name)
                  .setError(error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + name)));
        }
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
    cluster.produceRequests.incrementAndGet();
    cluster.awaitNodeResumed(nodeId);
    cluster.awaitProduceUnblocked();
    ProduceResponse.Builder response = ProduceResponse.newBuilder();
    boolean loseResponse = false;
    synchronized (cluster.lock) {
      for (ProducePartitionData data : request.getPartitionsList()) {
        ProducePartitionResponse.Builder r =
            ProducePartitionResponse.newBuilder()
                .setTopic(data.getTopic())
                .setPartition(data.getPartition())
                .setBaseOffset(-1);
        List<FakePartition> partitions = cluster.topics.get(data.getTopic());
        if (partitions == null || data.getPartition() >= partitions.size()) {
          r.setError(error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no such partition"));
        } else {
          ProduceFault fault = cluster.takeFault(data.getTopic(), data.getPartition());
          loseResponse |= fault == ProduceFault.LOSE_RESPONSE;
          produceOne(partitions.get(data.getPartition()), data, fault, r);
        }
        response.addPartitions(r);
      }
      cluster.lock.notifyAll();
    }
    if (loseResponse) {
      out.onError(Status.UNAVAILABLE.withDescription("injected: response lost").asException());
      return;
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  private void produceOne(
      FakePartition p,
      ProducePartitionData data,
      ProduceFault fault,
      ProducePartitionResponse.Builder r) {
    if (p.leaderId != nodeId || fault == ProduceFault.NOT_LEADER) {
      r.setError(notLeader(p));
      return;
    }
    if (fault == ProduceFault.TIMEOUT) {
      r.setError(error(ErrorCode.REQUEST_TIMED_OUT, "injected timeout"));
      return;
    }
    byte[] bytes = data.getRecordBatch().toByteArray();
    RecordBatch batch = RecordBatch.decode(bytes);
    batch.verify();
    if (batch.producerId() < 0) {
      r.setBaseOffset(p.append(bytes));
      return;
    }
    List<ProducerEntry> history =
        p.producers.computeIfAbsent(batch.producerId(), k -> new ArrayList<>());
    int expected = history.isEmpty() ? 0 : history.get(history.size() - 1).lastSequence() + 1;
    for (ProducerEntry e : history) {
      if (e.baseSequence() == batch.baseSequence()) {
        r.setError(error(ErrorCode.DUPLICATE_SEQUENCE, "duplicate")).setBaseOffset(e.baseOffset());
        return;
      }
    }
    if (batch.baseSequence() != expected) {
      r.setError(
          error(
              ErrorCode.OUT_OF_ORDER_SEQUENCE,
              "expected sequence " + expected + ", got " + batch.baseSequence()));
      return;
    }
    long base = p.append(bytes);
    history.add(
        new ProducerEntry(
            batch.baseSequence(), batch.baseSequence() + batch.recordCount() - 1, base));
    if (history.size() > 5) {
      history.remove(0);
    }
    r.setBaseOffset(base);
  }

  @Override
  public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
    cluster.fetchRequests.incrementAndGet();
    long deadline = System.currentTimeMillis() + request.getMaxWaitMs();
    synchronized (cluster.lock) {
      while (true) {
        FetchResponse response = fetchOnce(request);
        int bytes =
            response.getPartitionsList().stream()
                .mapToInt(p -> p.getRecordBatchesList().stream().mapToInt(ByteString::size).sum())
                .sum();
        long remaining = deadline - System.currentTimeMillis();
        boolean anyError =
            response.getPartitionsList().stream()
                .anyMatch(p -> p.getError().getCode() != ErrorCode.NONE);
        if (bytes >= Math.max(1, request.getMinBytes()) || anyError || remaining <= 0) {
          out.onNext(response);
          out.onCompleted();
          return;
        }
        cluster.parkedFetches.incrementAndGet();
        try {
          cluster.lock.wait(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.onError(Status.CANCELLED.asException());
          return;
        } finally {
          cluster.parkedFetches.decrementAndGet();
        }
      }
    }
  }

  private FetchResponse fetchOnce(FetchRequest request) {
    FetchResponse.Builder response = FetchResponse.newBuilder();
    int budget = request.getMaxBytes();
    for (FetchPartition fp : request.getPartitionsList()) {
      FetchPartitionResponse.Builder r =
          FetchPartitionResponse.newBuilder()
              .setTopic(fp.getTopic())
              .setPartition(fp.getPartition());
      List<FakePartition> partitions = cluster.topics.get(fp.getTopic());
      FakePartition p = partitions == null ? null : partitions.get(fp.getPartition());
      if (p == null) {
        r.setError(error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no such partition"));
      } else if (p.leaderId != nodeId) {
        r.setError(notLeader(p));
      } else if (fp.getFetchOffset() < p.logStartOffset || fp.getFetchOffset() > p.nextOffset) {
        r.setError(
            error(
                ErrorCode.OFFSET_OUT_OF_RANGE,
                "offset "
                    + fp.getFetchOffset()
                    + " not in ["
                    + p.logStartOffset
                    + ", "
                    + p.nextOffset
                    + "]"));
      } else {
        budget -= addBatches(p, fp, r, budget);
      }
      r.setHighWatermark(p == null ? -1 : p.nextOffset)
          .setLogStartOffset(p == null ? -1 : p.logStartOffset)
          .setLeaderEpoch(p == null ? -1 : p.leaderEpoch);
      response.addPartitions(r);
    }
    return response.build();
  }

  private static int addBatches(
      FakePartition p, FetchPartition fp, FetchPartitionResponse.Builder r, int budget) {
    int used = 0;
    for (byte[] bytes : p.batches) {
      RecordBatch b = RecordBatch.decode(bytes);
      if (b.lastOffset() < fp.getFetchOffset()) {
        continue;
      }
      boolean first = r.getRecordBatchesCount() == 0;
      if (!first
          && (used + bytes.length > fp.getPartitionMaxBytes() || used + bytes.length > budget)) {
        break;
      }
      r.addRecordBatches(ByteString.copyFrom(bytes));
      used += bytes.length;
    }
    return used;
  }

  @Override
  public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> out) {
    cluster.awaitNodeResumed(nodeId);
    ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
    synchronized (cluster.lock) {
      for (ListOffsetsPartition lp : request.getPartitionsList()) {
        FakePartition p = cluster.topics.get(lp.getTopic()).get(lp.getPartition());
        ListOffsetsPartitionResponse.Builder r =
            ListOffsetsPartitionResponse.newBuilder()
                .setTopic(lp.getTopic())
                .setPartition(lp.getPartition())
                .setTimestampMs(-1);
        if (p.leaderId != nodeId) {
          r.setError(notLeader(p));
        } else {
          r.setOffset(
              lp.getSpec().getKind() == OffsetSpec.Kind.EARLIEST ? p.logStartOffset : p.nextOffset);
        }
        response.addPartitions(r);
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void createTopics(CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> out) {
    CreateTopicsResponse.Builder response = CreateTopicsResponse.newBuilder();
    for (NewTopic t : request.getTopicsList()) {
      CreateTopicResult.Builder r = CreateTopicResult.newBuilder().setName(t.getName());
      synchronized (cluster.lock) {
        if (nodeId != FakeKeelCluster.CONTROLLER_ID) {
          r.setError(error(ErrorCode.NOT_CONTROLLER, "node " + nodeId + " is not the controller"));
        } else if (cluster.topics.containsKey(t.getName())) {
          r.setError(error(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + t.getName() + " exists"));
        } else if (t.getPartitions() < 1) {
          r.setError(error(ErrorCode.INVALID_PARTITIONS, "partitions must be >= 1"));
        } else {
          cluster.createTopic(t.getName(), t.getPartitions());
          r.setPartitions(t.getPartitions()).setReplicationFactor(t.getReplicationFactor());
        }
      }
      response.addResults(r);
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
    ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder();
    synchronized (cluster.lock) {
      cluster.topics.forEach(
          (name, ps) ->
              response.addTopics(
                  TopicListing.newBuilder()
                      .setName(name)
                      .setPartitions(ps.size())
                      .setReplicationFactor(1)));
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void describeTopics(
      DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> out) {
    DescribeTopicsResponse.Builder response = DescribeTopicsResponse.newBuilder();
    synchronized (cluster.lock) {
      for (String name : request.getTopicsList()) {
        List<FakePartition> ps = cluster.topics.get(name);
        TopicDescription.Builder t = TopicDescription.newBuilder().setName(name);
        if (ps == null) {
          t.setError(error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + name));
        } else {
          t.setReplicationFactor(1);
          for (int i = 0; i < ps.size(); i++) {
            FakePartition p = ps.get(i);
            t.addPartitions(
                PartitionDescription.newBuilder()
                    .setPartition(i)
                    .setLeaderId(p.leaderId)
                    .setLeaderEpoch(p.leaderEpoch)
                    .addReplicas(p.leaderId)
                    .addInSyncReplicas(p.leaderId)
                    .setLogStartOffset(p.logStartOffset)
                    .setLogEndOffset(p.nextOffset)
                    .setHighWatermark(p.nextOffset));
          }
        }
        response.addTopics(t);
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void describeCluster(
      DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> out) {
    DescribeClusterResponse.Builder response =
        DescribeClusterResponse.newBuilder()
            .setClusterId("fake")
            .setControllerId(FakeKeelCluster.CONTROLLER_ID);
    cluster.nodes.forEach(
        (id, address) -> {
          String[] hp = address.split(":");
          response.addNodes(
              NodeStatus.newBuilder()
                  .setNode(
                      Node.newBuilder().setId(id).setHost(hp[0]).setPort(Integer.parseInt(hp[1])))
                  .setAlive(true)
                  .setLastSeenMsAgo(0));
        });
    synchronized (cluster.lock) {
      response.setTopicCount(cluster.topics.size());
      response.setPartitionCount(cluster.topics.values().stream().mapToInt(List::size).sum());
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void initProducerId(
      InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> out) {
    if (cluster.refuseProducerIds) {
      out.onNext(
          InitProducerIdResponse.newBuilder()
              .setError(error(ErrorCode.NOT_ENOUGH_REPLICAS, "injected"))
              .build());
      out.onCompleted();
      return;
    }
    out.onNext(
        InitProducerIdResponse.newBuilder()
            .setProducerId(cluster.nextProducerId.getAndIncrement())
            .setProducerEpoch(0)
            .build());
    out.onCompleted();
  }

  @Override
  public void findCoordinator(
      FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> out) {
    String[] hp = cluster.nodes.get(1).split(":");
    out.onNext(
        FindCoordinatorResponse.newBuilder()
            .setCoordinator(
                Node.newBuilder().setId(1).setHost(hp[0]).setPort(Integer.parseInt(hp[1])))
            .build());
    out.onCompleted();
  }

  @Override
  public void consumerGroupHeartbeat(
      io.keel.proto.ConsumerGroupHeartbeatRequest request,
      StreamObserver<io.keel.proto.ConsumerGroupHeartbeatResponse> out) {
    io.keel.proto.ConsumerGroupHeartbeatResponse.Builder response =
        io.keel.proto.ConsumerGroupHeartbeatResponse.newBuilder().setHeartbeatIntervalMs(20);
    synchronized (cluster.lock) {
      var members =
          cluster.groups.computeIfAbsent(request.getGroupId(), k -> new java.util.TreeMap<>());
      String memberId = request.getMemberId();
      if (memberId.isEmpty()) {
        memberId = "m-" + cluster.groupEpoch.incrementAndGet();
      } else if (!members.containsKey(memberId)) {
        response.setError(error(ErrorCode.UNKNOWN_MEMBER_ID, "unknown member " + memberId));
        out.onNext(response.build());
        out.onCompleted();
        return;
      }
      members.put(memberId, List.copyOf(request.getSubscribedTopicsList()));
      response
          .setMemberId(memberId)
          .setMemberEpoch(cluster.groupEpoch.get())
          .setAssignment(assignment(members, memberId));
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  /** Round-robin of every subscribed partition over the members in id order. */
  private io.keel.proto.Assignment assignment(
      java.util.TreeMap<String, List<String>> members, String memberId) {
    List<String> ids = new ArrayList<>(members.keySet());
    java.util.TreeSet<String> topics = new java.util.TreeSet<>();
    members.values().forEach(topics::addAll);
    io.keel.proto.Assignment.Builder a = io.keel.proto.Assignment.newBuilder();
    int i = 0;
    for (String topic : topics) {
      List<FakePartition> ps = cluster.topics.get(topic);
      TopicPartitions.Builder mine = TopicPartitions.newBuilder().setTopic(topic);
      for (int p = 0; ps != null && p < ps.size(); p++, i++) {
        if (ids.get(i % ids.size()).equals(memberId)) {
          mine.addPartitions(p);
        }
      }
      if (mine.getPartitionsCount() > 0) {
        a.addPartitions(mine);
      }
    }
    return a.build();
  }

  @Override
  public void leaveGroup(
      io.keel.proto.LeaveGroupRequest request,
      StreamObserver<io.keel.proto.LeaveGroupResponse> out) {
    synchronized (cluster.lock) {
      var members = cluster.groups.get(request.getGroupId());
      if (members != null) {
        members.remove(request.getMemberId());
      }
    }
    out.onNext(io.keel.proto.LeaveGroupResponse.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void commitOffsets(
      CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> out) {
    CommitOffsetsResponse.Builder response = CommitOffsetsResponse.newBuilder();
    synchronized (cluster.lock) {
      Map<String, Long> group =
          cluster.committed.computeIfAbsent(request.getGroupId(), k -> new java.util.HashMap<>());
      for (CommitOffset c : request.getOffsetsList()) {
        group.put(c.getTopic() + "-" + c.getPartition(), c.getOffset());
        response.addPartitions(
            PartitionResult.newBuilder().setTopic(c.getTopic()).setPartition(c.getPartition()));
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void fetchOffsets(FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> out) {
    FetchOffsetsResponse.Builder response = FetchOffsetsResponse.newBuilder();
    synchronized (cluster.lock) {
      Map<String, Long> group = cluster.committed.getOrDefault(request.getGroupId(), Map.of());
      for (TopicPartitions tps : request.getPartitionsList()) {
        for (int partition : tps.getPartitionsList()) {
          Long offset = group.get(tps.getTopic() + "-" + partition);
          response.addPartitions(
              CommittedOffset.newBuilder()
                  .setTopic(tps.getTopic())
                  .setPartition(partition)
                  .setOffset(offset == null ? -1 : offset));
        }
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }
}
