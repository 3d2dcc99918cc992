package io.keel.client;

import io.keel.client.internal.AdminProtos;
import io.keel.client.internal.BlockingRpc;
import io.keel.client.internal.ChannelFactory;
import io.keel.client.internal.ChannelPool;
import io.keel.client.internal.Errors;
import io.keel.client.internal.GroupCoordinatorClient;
import io.keel.client.internal.HostPort;
import io.keel.client.internal.MetadataManager;
import io.keel.client.internal.ShareCoordinatorClient;
import io.keel.client.internal.ShareProtos;
import io.keel.client.share.ShareGroupDescription;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DeleteGroupsRequest;
import io.keel.proto.DeleteTopicsRequest;
import io.keel.proto.DeleteTopicsResponse;
import io.keel.proto.DescribeClusterRequest;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.DescribeShareGroupRequest;
import io.keel.proto.DescribeShareGroupResponse;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.GroupResult;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.ListTopicsRequest;
import io.keel.proto.ResetOffsetResult;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.TopicResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Manages topics and consumer groups and reports cluster health. Thread-safe. Every operation
 * returns at once with futures; each is retried on retriable errors (controller moved, node down)
 * until default.api.timeout.ms.
 */
public final class KeelAdmin implements AutoCloseable {
  private final KeelAdminConfig config;
  private final ChannelPool channels;
  private final MetadataManager metadata;
  private final BlockingRpc rpc;
  private final ExecutorService executor;

  public KeelAdmin(KeelAdminConfig config) {
    this(config, ChannelFactory.netty());
  }

  KeelAdmin(KeelAdminConfig config, ChannelFactory channelFactory) {
    this.config = config;
    this.channels = new ChannelPool(channelFactory);
    this.metadata =
        new MetadataManager(
            channels,
            config.bootstrapServers().stream().map(HostPort::parse).toList(),
            config.requestTimeoutMs(),
            config.metadataMaxAgeMs());
    this.rpc = new BlockingRpc(channels, config.requestTimeoutMs(), config.retryBackoffMs());
    this.executor =
        Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().name("keel-admin").daemon(true).unstarted(r));
  }

  // ------------------------------------------------------------------ topics

  /** Creates topics; each name's future completes when the controller created it. */
  public AdminResult<Void> createTopics(Collection<NewTopic> topics) {
    CreateTopicsRequest.Builder request =
        CreateTopicsRequest.newBuilder().setTimeoutMs(config.requestTimeoutMs());
    for (NewTopic t : topics) {
      request.addTopics(
          io.keel.proto.NewTopic.newBuilder()
              .setName(t.name())
              .setPartitions(t.partitions())
              .setReplicationFactor(t.replicationFactor())
              .putAllConfigs(t.configs()));
    }
    CompletableFuture<CreateTopicsResponse> call =
        async(
            () ->
                rpc.call(
                    "CreateTopics",
                    this::controller,
                    stub -> stub.createTopics(request.build()),
                    r ->
                        checkController(
                            r.getResultsList().stream().map(CreateTopicResult::getError)),
                    metadata::update,
                    deadline()));
    return perName(
        topics.stream().map(NewTopic::name).toList(),
        call,
        r -> {
          Map<String, ErrorDetail> out = new LinkedHashMap<>();
          r.getResultsList().forEach(x -> out.put(x.getName(), x.getError()));
          return out;
        },
        "topic");
  }

  public AdminResult<Void> deleteTopics(Collection<String> names) {
    DeleteTopicsRequest request =
        DeleteTopicsRequest.newBuilder()
            .addAllTopics(names)
            .setTimeoutMs(config.requestTimeoutMs())
            .build();
    CompletableFuture<DeleteTopicsResponse> call =
        async(
            () ->
                rpc.call(
                    "DeleteTopics",
                    this::controller,
                    stub -> stub.deleteTopics(request),
                    r -> checkController(r.getResultsList().stream().map(TopicResult::getError)),
                    metadata::update,
                    deadline()));
    return perName(
        List.copyOf(names),
        call,
        r -> {
          Map<String, ErrorDetail> out = new LinkedHashMap<>();
          r.getResultsList().forEach(x -> out.put(x.getName(), x.getError()));
          return out;
        },
        "topic");
  }

  public CompletableFuture<List<TopicListing>> listTopics() {
    return async(
        () ->
            rpc
                .call(
                    "ListTopics",
                    this::anyNode,
                    stub -> stub.listTopics(ListTopicsRequest.getDefaultInstance()),
                    r -> {},
                    metadata::update,
                    deadline())
                .getTopicsList()
                .stream()
                .map(AdminProtos::listing)
                .toList());
  }

  /** Partitions, replicas, leaders, in-sync replicas and offsets of each topic. */
  public AdminResult<TopicDescription> describeTopics(Collection<String> names) {
    DescribeTopicsRequest request = DescribeTopicsRequest.newBuilder().addAllTopics(names).build();
    var call =
        async(
            () ->
                rpc.call(
                    "DescribeTopics",
                    this::anyNode,
                    stub -> stub.describeTopics(request),
                    r -> {},
                    metadata::update,
                    deadline()));
    Map<String, CompletableFuture<TopicDescription>> out = new LinkedHashMap<>();
    for (String name : names) {
      out.put(
          name,
          call.thenApply(
              r ->
                  r.getTopicsList().stream()
                      .filter(t -> t.getName().equals(name))
                      .findFirst()
                      .map(
                          t -> {
                            if (Errors.isError(t.getError())) {
                              throw Errors.toException(t.getError(), "topic " + name);
                            }
                            return AdminProtos.topic(t);
                          })
                      .orElseThrow(
                          () -> new UnknownTopicException("topic '" + name + "' does not exist"))));
    }
    return new AdminResult<>(out);
  }

  // ------------------------------------------------------------------ cluster

  /** Nodes, controller, and partition health. */
  public CompletableFuture<ClusterDescription> describeCluster() {
    return async(
        () ->
            AdminProtos.cluster(
                rpc.call(
                    "DescribeCluster",
                    this::anyNode,
                    stub -> stub.describeCluster(DescribeClusterRequest.getDefaultInstance()),
                    r -> {},
                    metadata::update,
                    deadline())));
  }

  // ------------------------------------------------------------------ groups

  public CompletableFuture<List<GroupListing>> listGroups() {
    return async(
        () ->
            rpc
                .call(
                    "ListGroups",
                    this::anyNode,
                    stub -> stub.listGroups(ListGroupsRequest.getDefaultInstance()),
                    r -> {
                      if (Errors.isError(r.getError())) {
                        throw Errors.toException(r.getError(), "ListGroups");
                      }
                    },
                    metadata::update,
                    deadline())
                .getGroupsList()
                .stream()
                .map(AdminProtos::group)
                .toList());
  }

  public CompletableFuture<GroupDescription> describeGroup(String groupId) {
    DescribeGroupsRequest request = DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build();
    return async(
        () -> {
          // Errors are checked inside the call so NOT_COORDINATOR retries at the new coordinator.
          var response =
              coordinator(groupId)
                  .call(
                      "DescribeGroups",
                      stub -> stub.describeGroups(request),
                      r -> {
                        var group = describedGroup(r, groupId);
                        if (Errors.isError(group.getError())) {
                          throw Errors.toException(group.getError(), "group " + groupId);
                        }
                      },
                      deadline());
          return AdminProtos.group(describedGroup(response, groupId));
        });
  }

  /** Deletes an empty group and its committed offsets. */
  public CompletableFuture<Void> deleteGroup(String groupId) {
    DeleteGroupsRequest request = DeleteGroupsRequest.newBuilder().addGroupIds(groupId).build();
    return async(
        () -> {
          coordinator(groupId)
              .call(
                  "DeleteGroups",
                  stub -> stub.deleteGroups(request),
                  r -> {
                    for (GroupResult g : r.getResultsList()) {
                      if (Errors.isError(g.getError())) {
                        throw Errors.toException(g.getError(), "group " + groupId);
                      }
                    }
                  },
                  deadline());
          return null;
        });
  }

  /**
   * Moves an empty group's committed offsets for {@code topic} (all partitions) to {@code spec};
   * returns the new offset per partition. With {@code dryRun} nothing is committed.
   */
  public CompletableFuture<Map<TopicPartition, Long>> resetOffsets(
      String groupId, String topic, OffsetResetSpec spec, boolean dryRun) {
    ResetOffsetsRequest request =
        ResetOffsetsRequest.newBuilder()
            .setGroupId(groupId)
            .setTopic(topic)
            .setSpec(AdminProtos.spec(spec))
            .setDryRun(dryRun)
            .build();
    return async(
        () -> {
          var response =
              coordinator(groupId)
                  .call(
                      "ResetOffsets",
                      stub -> stub.resetOffsets(request),
                      r -> {
                        if (Errors.isError(r.getError())) {
                          throw Errors.toException(r.getError(), "group " + groupId);
                        }
                      },
                      deadline());
          Map<TopicPartition, Long> out = new LinkedHashMap<>();
          for (ResetOffsetResult p : response.getPartitionsList()) {
            TopicPartition tp = new TopicPartition(p.getTopic(), p.getPartition());
            if (Errors.isError(p.getError())) {
              throw Errors.toException(p.getError(), tp);
            }
            out.put(tp, p.getNewOffset());
          }
          return out;
        });
  }

  /**
   * A share group's members and, per partition, its window: in flight, acquired, delayed,
   * dead-letter counts and lag (docs/queues.md). A group nobody joined comes back empty.
   */
  public CompletableFuture<ShareGroupDescription> describeShareGroup(String groupId) {
    DescribeShareGroupRequest request =
        DescribeShareGroupRequest.newBuilder().setGroupId(groupId).build();
    return async(
        () ->
            ShareProtos.description(
                new ShareCoordinatorClient(
                        groupId,
                        metadata,
                        rpc,
                        channels,
                        config.requestTimeoutMs(),
                        config.retryBackoffMs())
                    .call(
                        stub -> stub.describeShareGroup(request),
                        DescribeShareGroupResponse::getError,
                        deadline())));
  }

  // ------------------------------------------------------------------ plumbing

  private static io.keel.proto.GroupDescription describedGroup(
      io.keel.proto.DescribeGroupsResponse response, String groupId) {
    return response.getGroupsList().stream()
        .filter(g -> g.getGroupId().equals(groupId))
        .findFirst()
        .orElseThrow(() -> new GroupException("group '" + groupId + "' not described"));
  }

  private GroupCoordinatorClient coordinator(String groupId) {
    return new GroupCoordinatorClient(groupId, metadata, rpc);
  }

  private long deadline() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.defaultApiTimeoutMs());
  }

  private <T> CompletableFuture<T> async(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, executor);
  }

  private HostPort anyNode() {
    var snapshot = metadata.current();
    if (snapshot.nodes().isEmpty()) {
      snapshot = metadata.awaitUpdate(deadline(), "admin bootstrap");
    }
    List<HostPort> nodes = new ArrayList<>(snapshot.nodes().values());
    if (nodes.isEmpty()) {
      return HostPort.parse(config.bootstrapServers().get(0));
    }
    return nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
  }

  private HostPort controller() {
    var snapshot = metadata.current();
    if (snapshot.address(snapshot.controllerId()) == null) {
      snapshot = metadata.awaitUpdate(deadline(), "find controller");
    }
    HostPort address = snapshot.address(snapshot.controllerId());
    if (address == null) {
      throw new NotLeaderException("no controller known yet");
    }
    return address;
  }

  /** NOT_CONTROLLER on any result means the request went to the wrong node: retry it all. */
  private static void checkController(java.util.stream.Stream<ErrorDetail> errors) {
    errors
        .filter(e -> e.getCode() == ErrorCode.NOT_CONTROLLER)
        .findFirst()
        .ifPresent(
            e -> {
              throw Errors.toException(e, "controller request");
            });
  }

  private static <R> AdminResult<Void> perName(
      List<String> names,
      CompletableFuture<R> call,
      java.util.function.Function<R, Map<String, ErrorDetail>> errorsByName,
      String kind) {
    Map<String, CompletableFuture<Void>> out = new LinkedHashMap<>();
    for (String name : names) {
      out.put(
          name,
          call.thenApply(
              r -> {
                ErrorDetail error = errorsByName.apply(r).get(name);
                if (error == null) {
                  throw new KeelException("no result for " + kind + " '" + name + "'");
                }
                if (Errors.isError(error)) {
                  throw Errors.toException(error, kind + " " + name);
                }
                return null;
              }));
    }
    return new AdminResult<>(out);
  }

  public void close(Duration timeout) {
    executor.shutdown();
    try {
      executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channels.close();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
