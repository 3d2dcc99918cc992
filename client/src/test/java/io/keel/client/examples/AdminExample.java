package io.keel.client.examples;

import io.keel.client.ClusterDescription;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.NewTopic;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import io.keel.client.TopicExistsException;
import java.util.List;
import java.util.concurrent.CompletionException;

/** Creates a topic (if missing) and prints its partitions and the cluster's health. */
public final class AdminExample {
  private AdminExample() {}

  public static TopicDescription run(String bootstrap, String topic, int partitions) {
    try (KeelAdmin admin = new KeelAdmin(KeelAdminConfig.builder().bootstrap(bootstrap).build())) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, 3))).values().get(topic).join();
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      TopicDescription description = admin.describeTopics(List.of(topic)).all().join().get(topic);
      for (PartitionDescription p : description.partitions()) {
        System.out.printf(
            "%s-%d leader=%d replicas=%s isr=%s offsets=[%d, %d)%n",
            topic,
            p.partition(),
            p.leaderId(),
            p.replicas(),
            p.inSyncReplicas(),
            p.logStartOffset(),
            p.logEndOffset());
      }
      ClusterDescription cluster = admin.describeCluster().join();
      System.out.printf(
          "controller=%d nodes=%d healthy=%s%n",
          cluster.controllerId(), cluster.nodes().size(), cluster.healthy());
      return description;
    }
  }
}
