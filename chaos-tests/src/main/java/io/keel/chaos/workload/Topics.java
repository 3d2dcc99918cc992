package io.keel.chaos.workload;

import io.keel.client.KeelAdmin;
import io.keel.client.NewTopic;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import io.keel.client.TopicExistsException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Topic set-up and end offsets, retried until a deadline (faults are not running yet). */
final class Topics {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private Topics() {}

  /** Creates the topic (if absent) and waits until every partition has a leader. */
  static void create(KeelAdmin admin, String topic, int partitions, int rf, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, rf)))
            .all()
            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          last = e;
        }
      } catch (TimeoutException e) {
        last = e;
      }
      if (allLed(admin, topic, partitions)) {
        return;
      }
      Thread.sleep(200); // topic creation and elections take a few ticks; poll again
    }
    throw new IllegalStateException(
        "topic " + topic + " has no leader on every partition within " + timeout, last);
  }

  private static boolean allLed(KeelAdmin admin, String topic, int partitions)
      throws InterruptedException {
    try {
      TopicDescription d = describe(admin, topic);
      return d.partitions().size() == partitions
          && d.partitions().stream().allMatch(p -> p.leaderId() > 0);
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  static TopicDescription describe(KeelAdmin admin, String topic)
      throws ExecutionException, TimeoutException, InterruptedException {
    return admin
        .describeTopics(List.of(topic))
        .values()
        .get(topic)
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Partition -> high watermark (end of committed records). */
  static Map<Integer, Long> highWatermarks(KeelAdmin admin, String topic)
      throws ExecutionException, TimeoutException, InterruptedException {
    return describe(admin, topic).partitions().stream()
        .collect(
            Collectors.toMap(PartitionDescription::partition, PartitionDescription::highWatermark));
  }
}
