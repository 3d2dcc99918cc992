package io.keel.broker.controller;

import io.keel.broker.controller.MetadataCommand.CreateTopic;
import io.keel.broker.controller.MetadataCommand.DeleteTopic;
import io.keel.broker.controller.MetadataCommand.SetTopicConfig;
import io.keel.proto.AlterTopicConfigsRequest;
import io.keel.proto.AlterTopicConfigsResponse;
import io.keel.proto.ControllerCreateTopicsResponse;
import io.keel.proto.ControllerDeleteTopicsResponse;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.NewTopic;
import io.keel.proto.TopicResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Validates and proposes topic creation, deletion and config changes on the active controller. Runs
 * on the metadata loop. Each topic gets its own typed result.
 */
final class TopicCommands {
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private final ControllerSettings settings;
  private final Supplier<MetadataImage> image;
  private final BrokerSessions sessions;
  private final Function<MetadataCommand, CompletableFuture<Long>> proposer;
  // Names with a create proposed but not yet applied, so a second create fails fast.
  private final Set<String> pendingNames = new HashSet<>();
  private int pendingPartitions;

  TopicCommands(
      ControllerSettings settings,
      Supplier<MetadataImage> image,
      BrokerSessions sessions,
      Function<MetadataCommand, CompletableFuture<Long>> proposer) {
    this.settings = settings;
    this.image = image;
    this.sessions = sessions;
    this.proposer = proposer;
  }

  void reset() {
    pendingNames.clear();
    pendingPartitions = 0;
  }

  CompletableFuture<ControllerCreateTopicsResponse> create(CreateTopicsRequest request) {
    MetadataImage current = image.get();
    long now = System.nanoTime();
    // Online in the metadata (the session-expiry command is the one judge of liveness).
    List<Integer> live =
        current.onlineBrokers().stream().filter(id -> !sessions.shuttingDown(id)).toList();
    // Right after a controller failover every online node gets a grace period; prefer the nodes
    // actually heard from since, when there are enough of them for the request.
    List<Integer> heard = live.stream().filter(id -> sessions.heardRecently(id, now)).toList();
    int start = current.partitionCount() + pendingPartitions;
    List<CompletableFuture<CreateTopicResult>> results = new ArrayList<>();
    long[] version = {current.version()};
    for (NewTopic t : request.getTopicsList()) {
      int partitions = t.getPartitions() == 0 ? settings.defaultPartitions() : t.getPartitions();
      int rf =
          t.getReplicationFactor() == 0
              ? settings.defaultReplicationFactor()
              : t.getReplicationFactor();
      Optional<ErrorDetail> problem = validate(current, t, partitions, rf, live.size());
      if (problem.isPresent() || request.getValidateOnly()) {
        results.add(
            CompletableFuture.completedFuture(result(t.getName(), partitions, rf, problem)));
        continue;
      }
      List<List<Integer>> assignments =
          Placement.assign(heard.size() >= rf ? heard : live, partitions, rf, start);
      start += partitions;
      pendingNames.add(t.getName());
      pendingPartitions += partitions;
      results.add(
          proposer
              .apply(new CreateTopic(t.getName(), assignments, t.getConfigsMap()))
              .handle(
                  (index, failure) -> {
                    pendingNames.remove(t.getName());
                    pendingPartitions -= partitions;
                    if (failure != null) {
                      return result(t.getName(), partitions, rf, Optional.of(lost(failure)));
                    }
                    version[0] = Math.max(version[0], index);
                    return result(t.getName(), partitions, rf, Optional.empty());
                  }));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored ->
                ControllerCreateTopicsResponse.newBuilder()
                    .addAllResults(results.stream().map(CompletableFuture::join).toList())
                    .setMetadataVersion(version[0])
                    .build());
  }

  private Optional<ErrorDetail> validate(
      MetadataImage current, NewTopic t, int partitions, int rf, int liveBrokers) {
    String name = t.getName();
    if (!TOPIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      return Optional.of(
          detail(
              ErrorCode.INVALID_TOPIC_NAME,
              "topic name '" + name + "' must be 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'"));
    }
    if (current.topics().containsKey(name) || pendingNames.contains(name)) {
      return Optional.of(
          detail(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists"));
    }
    if (partitions < 1 || partitions > TopicInfo.MAX_PARTITIONS) {
      return Optional.of(
          detail(
              ErrorCode.INVALID_PARTITIONS,
              "partitions must be between 1 and "
                  + TopicInfo.MAX_PARTITIONS
                  + ", was "
                  + partitions));
    }
    if (rf < 1 || rf > liveBrokers) {
      return Optional.of(
          detail(
              ErrorCode.INVALID_REPLICATION_FACTOR,
              "replication factor must be between 1 and the "
                  + liveBrokers
                  + " live brokers, was "
                  + rf));
    }
    return TopicConfigs.validate(t.getConfigsMap())
        .map(message -> detail(ErrorCode.INVALID_CONFIG, message));
  }

  CompletableFuture<ControllerDeleteTopicsResponse> delete(List<String> names) {
    MetadataImage current = image.get();
    List<CompletableFuture<TopicResult>> results = new ArrayList<>();
    long[] version = {current.version()};
    for (String name : names) {
      if (!current.topics().containsKey(name)) {
        results.add(
            CompletableFuture.completedFuture(
                topicResult(
                    name,
                    Optional.of(
                        detail(
                            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                            "topic '" + name + "' does not exist")))));
        continue;
      }
      results.add(
          proposer
              .apply(new DeleteTopic(name))
              .handle(
                  (index, failure) -> {
                    if (failure != null) {
                      return topicResult(name, Optional.of(lost(failure)));
                    }
                    version[0] = Math.max(version[0], index);
                    return topicResult(name, Optional.empty());
                  }));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored ->
                ControllerDeleteTopicsResponse.newBuilder()
                    .addAllResults(results.stream().map(CompletableFuture::join).toList())
                    .setMetadataVersion(version[0])
                    .build());
  }

  CompletableFuture<AlterTopicConfigsResponse> alterConfigs(AlterTopicConfigsRequest request) {
    TopicInfo topic = image.get().topics().get(request.getTopic());
    if (topic == null) {
      return failedAlter(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + request.getTopic() + "' does not exist");
    }
    // An empty value removes the override.
    Map<String, String> merged = new HashMap<>(topic.configs());
    request
        .getConfigsMap()
        .forEach(
            (k, v) -> {
              if (v.isEmpty()) {
                merged.remove(k);
              } else {
                merged.put(k, v);
              }
            });
    Optional<String> problem = TopicConfigs.validate(merged);
    if (problem.isPresent()) {
      return failedAlter(ErrorCode.INVALID_CONFIG, problem.get());
    }
    return proposer
        .apply(new SetTopicConfig(topic.name(), merged))
        .thenApply(
            index -> AlterTopicConfigsResponse.newBuilder().setMetadataVersion(index).build());
  }

  private static CompletableFuture<AlterTopicConfigsResponse> failedAlter(
      ErrorCode code, String message) {
    return CompletableFuture.completedFuture(
        AlterTopicConfigsResponse.newBuilder()
            .setError(QuorumController.error(code, message))
            .build());
  }

  private static CreateTopicResult result(
      String name, int partitions, int rf, Optional<ErrorDetail> error) {
    CreateTopicResult.Builder b =
        CreateTopicResult.newBuilder()
            .setName(name)
            .setPartitions(partitions)
            .setReplicationFactor(rf);
    error.ifPresent(b::setError);
    return b.build();
  }

  private static TopicResult topicResult(String name, Optional<ErrorDetail> error) {
    TopicResult.Builder b = TopicResult.newBuilder().setName(name);
    error.ifPresent(b::setError);
    return b.build();
  }

  private static ErrorDetail lost(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return detail(
        ErrorCode.NOT_CONTROLLER,
        "controller lost leadership before commit: " + cause.getMessage());
  }

  static ErrorDetail detail(ErrorCode code, String message) {
    return ErrorDetail.newBuilder().setCode(code).setMessage(message).build();
  }
}
