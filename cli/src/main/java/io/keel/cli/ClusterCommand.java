package io.keel.cli;

import io.keel.client.ClusterDescription;
import io.keel.client.KeelAdmin;
import io.keel.client.NodeStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keel cluster status}: is the cluster healthy? */
@Command(
    name = "cluster",
    description = "Inspect the cluster.",
    subcommands = {ClusterCommand.Status.class})
final class ClusterCommand {
  static final int EXIT_UNHEALTHY = 3;

  @Command(
      name = "status",
      description = {
        "Nodes, controller, partitions, leaders per node, under-replicated and offline",
        "partitions. Exits 3 when a node is down or a partition is under-replicated or offline."
      },
      footer = {"", "Examples:", "  keel cluster status", "  keel cluster status -o json"})
  static final class Status implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
      ClusterDescription cluster;
      try (KeelAdmin admin = client.admin()) {
        cluster = admin.describeCluster().get();
      }
      Output out = client.out();
      out.line(
          String.format(
              "CLUSTER %s  controller %s  topics %d  partitions %d  under-replicated %d"
                  + "  offline %d  %s",
              cluster.clusterId(),
              cluster.controllerId() > 0 ? cluster.controllerId() : "none",
              cluster.topicCount(),
              cluster.partitionCount(),
              cluster.underReplicatedPartitions().size(),
              cluster.offlinePartitions().size(),
              cluster.healthy() ? "HEALTHY" : "UNHEALTHY"));
      Output.Table table = new Output.Table("NODE", "ADDRESS", "STATUS", "LEADERS", "REPLICAS");
      for (NodeStatus node : cluster.nodes()) {
        table.row(
            node.node().id(),
            node.node().host() + ":" + node.node().port(),
            node.alive() ? "up" : "down",
            node.leaderCount(),
            node.replicaCount());
      }
      out.print(cluster, table);
      return cluster.healthy() ? 0 : EXIT_UNHEALTHY;
    }
  }
}
