package io.keel.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeClusterResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.NewTopic;
import io.keel.proto.NodeStatus;
import io.keel.proto.PartitionDescription;
import io.keel.proto.TopicDescription;
import io.keel.proto.TopicListing;
import io.keel.proto.TopicPartition;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Topics (list, describe, create) and cluster status; this node answers or forwards itself. */
final class AdminApi {
  private static final Set<String> CREATE_FIELDS =
      Set.of("name", "partitions", "replication_factor", "configs");
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final NodeCalls calls;

  AdminApi(NodeCalls calls) {
    this.calls = calls;
  }

  private <Q, R> CompletableFuture<R> local(NodeCalls.Rpc<Q, R> rpc, Q request) {
    return calls.call(calls.selfId(), rpc, request, ADMIN_TIMEOUT);
  }

  CompletableFuture<HttpReply> listTopics(HttpQuery query) {
    query.allowOnly(Set.of("internal"));
    boolean internal = query.string("internal").map(Boolean::parseBoolean).orElse(false);
    return local(
            Rpcs.LIST_TOPICS, ListTopicsRequest.newBuilder().setIncludeInternal(internal).build())
        .thenApply(
            r -> {
              ObjectNode root = JsonInput.MAPPER.createObjectNode();
              ArrayNode topics = root.putArray("topics");
              for (TopicListing t : r.getTopicsList()) {
                topics
                    .addObject()
                    .put("name", t.getName())
                    .put("partitions", t.getPartitions())
                    .put("replication_factor", t.getReplicationFactor())
                    .put("internal", t.getInternal());
              }
              return HttpReply.ok(root);
            });
  }

  CompletableFuture<HttpReply> describeTopic(String name) {
    return local(Rpcs.DESCRIBE_TOPICS, DescribeTopicsRequest.newBuilder().addTopics(name).build())
        .thenApply(
            r -> {
              TopicDescription t = r.getTopics(0);
              if (t.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(t.getError());
              }
              ObjectNode root =
                  JsonInput.MAPPER
                      .createObjectNode()
                      .put("name", t.getName())
                      .put("replication_factor", t.getReplicationFactor())
                      .put("internal", t.getInternal());
              ObjectNode configs = root.putObject("configs");
              t.getConfigsMap().forEach(configs::put);
              ArrayNode partitions = root.putArray("partitions");
              for (PartitionDescription p : t.getPartitionsList()) {
                ObjectNode o =
                    partitions
                        .addObject()
                        .put("partition", p.getPartition())
                        .put("leader", p.getLeaderId())
                        .put("leader_epoch", p.getLeaderEpoch())
                        .put("log_start_offset", p.getLogStartOffset())
                        .put("log_end_offset", p.getLogEndOffset())
                        .put("high_watermark", p.getHighWatermark());
                ints(o.putArray("replicas"), p.getReplicasList());
                ints(o.putArray("in_sync_replicas"), p.getInSyncReplicasList());
              }
              return HttpReply.ok(root);
            });
  }

  CompletableFuture<HttpReply> createTopic(byte[] body) {
    JsonInput in = JsonInput.parse(body).allowOnly(CREATE_FIELDS);
    NewTopic topic =
        NewTopic.newBuilder()
            .setName(in.requiredString("name"))
            .setPartitions(in.integer("partitions", 0, 0, 1 << 16))
            .setReplicationFactor(in.integer("replication_factor", 0, 0, 64))
            .putAllConfigs(in.stringMap("configs"))
            .build();
    CreateTopicsRequest request =
        CreateTopicsRequest.newBuilder()
            .addTopics(topic)
            .setTimeoutMs((int) ADMIN_TIMEOUT.toMillis())
            .build();
    return local(Rpcs.CREATE_TOPICS, request)
        .thenApply(
            r -> {
              CreateTopicResult result = r.getResults(0);
              if (result.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(result.getError());
              }
              return HttpReply.json(
                  HttpResponseStatus.CREATED,
                  JsonInput.MAPPER
                      .createObjectNode()
                      .put("name", result.getName())
                      .put("partitions", result.getPartitions())
                      .put("replication_factor", result.getReplicationFactor()));
            });
  }

  CompletableFuture<HttpReply> cluster() {
    return local(Rpcs.DESCRIBE_CLUSTER, DescribeClusterRequest.getDefaultInstance())
        .thenApply(AdminApi::clusterJson);
  }

  private static HttpReply clusterJson(DescribeClusterResponse r) {
    ObjectNode root =
        JsonInput.MAPPER
            .createObjectNode()
            .put("cluster_id", r.getClusterId())
            .put("controller", r.getControllerId())
            .put("topics", r.getTopicCount())
            .put("partitions", r.getPartitionCount())
            .put("under_replicated_partitions", r.getUnderReplicatedPartitionCount())
            .put("offline_partitions", r.getOfflinePartitionCount());
    ArrayNode nodes = root.putArray("nodes");
    for (NodeStatus n : r.getNodesList()) {
      nodes
          .addObject()
          .put("id", n.getNode().getId())
          .put("address", n.getNode().getHost() + ":" + n.getNode().getPort())
          .put("alive", n.getAlive())
          .put("leaders", n.getLeaderCount())
          .put("replicas", n.getReplicaCount());
    }
    ArrayNode offline = root.putArray("offline");
    for (TopicPartition tp : r.getOfflinePartitionsList()) {
      offline.addObject().put("topic", tp.getTopic()).put("partition", tp.getPartition());
    }
    return HttpReply.ok(root);
  }

  private static void ints(ArrayNode out, List<Integer> values) {
    values.forEach(out::add);
  }
}
