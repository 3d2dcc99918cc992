package io.keel.cli;

import io.keel.client.ClusterDescription;
import io.keel.client.KeelAdmin;
import io.keel.client.NodeStatus;
import io.keel.client.PartitionDescription;
import io.keel.client.TopicDescription;
import io.keel.client.TopicListing;
import io.keel.proto.ReplicaFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
        "partitions, and the partitions each down node holds a replica of. A node the cluster",
        "calls up but that refuses connections from here is shown unreachable. Exits 3 when a",
        "node is down or unreachable, a partition is under-replicated or offline, or a node",
        "holds a quarantined or rejoining replica (repair: keel partition rebuild)."
      },
      footer = {"", "Examples:", "  keel cluster status", "  keel cluster status -o json"})
  static final class Status implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
      ClusterDescription cluster;
      Map<Integer, List<String>> affected;
      Set<Integer> down = new TreeSet<>();
      try (KeelAdmin admin = client.admin()) {
        cluster = admin.describeCluster().get();
        // The answering node's view may be stale (e.g. it lost the controller quorum), so a
        // node it calls up but that refuses connections from here counts as down too.
        for (NodeStatus node : cluster.nodes()) {
          if (!node.alive() || !ClientOptions.accepts(node.node().host(), node.node().port())) {
            down.add(node.node().id());
          }
        }
        affected = partitionsOf(admin, down);
      }
      List<ReplicaFaultView> faults = replicaFaults(cluster, down);
      boolean healthy = cluster.healthy() && down.isEmpty() && faults.isEmpty();
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
              healthy ? "HEALTHY" : "UNHEALTHY"));
      Output.Table table = new Output.Table("NODE", "ADDRESS", "STATUS", "LEADERS", "REPLICAS");
      for (NodeStatus node : cluster.nodes()) {
        table.row(
            node.node().id(),
            node.node().host() + ":" + node.node().port(),
            !node.alive() ? "down" : down.contains(node.node().id()) ? "unreachable" : "up",
            node.leaderCount(),
            node.replicaCount());
      }
      out.print(new Report(cluster, affected, faults), table);
      affected.forEach(
          (node, partitions) ->
              out.line(
                  String.format(
                      "node %d is down; replica of %d partitions: %s",
                      node, partitions.size(), String.join(" ", partitions))));
      for (ReplicaFaultView f : faults) {
        out.line(
            String.format(
                "node %d: replica of %s (group %d) %s: %s",
                f.node(), f.partition(), f.group(), f.state(), f.cause()));
      }
      return healthy ? 0 : EXIT_UNHEALTHY;
    }

    /** Replicas that do not serve (quarantined, rejoining), asked of every reachable node. */
    private static List<ReplicaFaultView> replicaFaults(
        ClusterDescription cluster, Set<Integer> down) {
      List<ReplicaFaultView> out = new ArrayList<>();
      for (NodeStatus node : cluster.nodes()) {
        if (down.contains(node.node().id())) {
          continue;
        }
        try (ReplicaRpc rpc = new ReplicaRpc(node.node().host(), node.node().port())) {
          for (ReplicaFault f : rpc.faults().getFaultsList()) {
            String name =
                f.getTopic().isEmpty()
                    ? "group " + f.getGroupId()
                    : f.getTopic() + "-" + f.getPartition();
            out.add(
                new ReplicaFaultView(
                    node.node().id(), name, f.getGroupId(), f.getState().name(), f.getCause()));
          }
        } catch (RuntimeException e) {
          // A node that cannot answer is already reported by its status.
        }
      }
      return out;
    }

    /** Per down node, the partitions (topic-partition) that have a replica on it. */
    private static Map<Integer, List<String>> partitionsOf(KeelAdmin admin, Set<Integer> down) {
      Map<Integer, List<String>> affected = new TreeMap<>();
      if (down.isEmpty()) {
        return affected;
      }
      List<String> topics = admin.listTopics().join().stream().map(TopicListing::name).toList();
      Map<String, TopicDescription> described = admin.describeTopics(topics).all().join();
      new TreeMap<>(described)
          .forEach(
              (name, topic) -> {
                for (PartitionDescription p : topic.partitions()) {
                  for (int replica : p.replicas()) {
                    if (down.contains(replica)) {
                      affected
                          .computeIfAbsent(replica, r -> new ArrayList<>())
                          .add(name + "-" + p.partition());
                    }
                  }
                }
              });
      return affected;
    }
  }

  /** What {@code -o json} prints. */
  record Report(
      ClusterDescription cluster,
      Map<Integer, List<String>> partitionsOfDownNodes,
      List<ReplicaFaultView> replicaFaults) {}

  /** A replica on {@code node} that does not serve: QUARANTINED or REJOINING, and why. */
  record ReplicaFaultView(int node, String partition, long group, String state, String cause) {}
}
