package io.keel.broker.api;

import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.PartitionReplica;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import java.util.Optional;

/** Finds the local replica a partition request goes to, or the error to answer with. */
final class PartitionRouter {

  /** Exactly one of {@code replica} and {@code error} is set. */
  record Route(PartitionReplica replica, ErrorDetail error) {}

  private final PartitionManager partitions;
  private final MetadataView metadata;
  private final LeaderResolver leaders;
  private final ErrorDetails errors;

  PartitionRouter(
      PartitionManager partitions,
      MetadataView metadata,
      LeaderResolver leaders,
      ErrorDetails errors) {
    this.partitions = partitions;
    this.metadata = metadata;
    this.leaders = leaders;
    this.errors = errors;
  }

  Route route(String topic, int partition) {
    Optional<PartitionReplica> local = partitions.replica(topic, partition);
    if (local.isPresent()) {
      return new Route(local.get(), null);
    }
    if (topic.isEmpty()) {
      return failed(ErrorCode.INVALID_REQUEST, "topic must be non-empty");
    }
    Optional<TopicInfo> info = metadata.topic(topic);
    if (info.isEmpty()) {
      return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist");
    }
    if (partition < 0 || partition >= info.get().partitions()) {
      return failed(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          String.format(
              "topic '%s' has %d partitions; partition %d does not exist",
              topic, info.get().partitions(), partition));
    }
    return new Route(
        null, errors.notLeader(topic + "-" + partition, leaders.leaderOf(info.get(), partition)));
  }

  private static Route failed(ErrorCode code, String message) {
    return new Route(null, ErrorDetails.of(code, message));
  }
}
