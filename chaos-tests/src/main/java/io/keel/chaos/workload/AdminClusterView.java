package io.keel.chaos.workload;

import io.keel.chaos.nemesis.ClusterView;
import io.keel.client.KeelAdmin;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Leaders as the cluster reports them (describeTopics, describeCluster). A lookup that fails or
 * times out answers "unknown", so a leader-targeted fault falls back to a random node rather than
 * stalling the nemesis.
 */
final class AdminClusterView implements ClusterView {
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);

  private final KeelAdmin admin;
  private final String topic;
  private final int partitions;

  AdminClusterView(KeelAdmin admin, String topic, int partitions) {
    this.admin = admin;
    this.topic = topic;
    this.partitions = partitions;
  }

  @Override
  public int partitionCount() {
    return partitions;
  }

  @Override
  public OptionalInt partitionLeader(int partition) {
    try {
      TopicDescription d =
          admin
              .describeTopics(List.of(topic))
              .values()
              .get(topic)
              .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return d.partitions().stream()
          .filter(p -> p.partition() == partition && p.leaderId() > 0)
          .mapToInt(PartitionDescription::leaderId)
          .findFirst();
    } catch (ExecutionException | TimeoutException e) {
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  @Override
  public OptionalInt controllerLeader() {
    try {
      int id =
          admin
              .describeCluster()
              .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .controllerId();
      return id > 0 ? OptionalInt.of(id) : OptionalInt.empty();
    } catch (ExecutionException | TimeoutException e) {
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }
}
