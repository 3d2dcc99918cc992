package io.keel.cli;

import io.keel.client.ClusterDescription;
import io.keel.client.KeelAdmin;
import io.keel.client.NodeStatus;
import io.keel.proto.RebuildResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel partition rebuild}: repair one node's replica of a partition from the others. */
@Command(
    name = "partition",
    description = "Operate on one node's replica of a partition.",
    subcommands = {PartitionCommand.Rebuild.class})
final class PartitionCommand {

  @Command(
      name = "rebuild",
      description = {
        "Drops node N's replica of TOPIC-PARTITION (a quarantined one, after a storage error)",
        "with its data and starts it again empty. It takes part again only behind a term fence",
        "from the partition's leader (docs/raft.md), then catches up from the leader. Needs the",
        "other replicas to have a leader; `keel cluster status` shows quarantined and rejoining",
        "replicas."
      },
      footer = {"", "Examples:", "  keel partition rebuild orders 3 --node 2"})
  static final class Rebuild implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic name.")
    String topic;

    @Parameters(index = "1", paramLabel = "PARTITION", description = "Partition number.")
    int partition;

    @Option(
        names = "--node",
        required = true,
        paramLabel = "N",
        description = "The node whose replica is rebuilt.")
    int node;

    @Override
    public Integer call() throws Exception {
      NodeStatus target;
      try (KeelAdmin admin = client.admin()) {
        ClusterDescription cluster = admin.describeCluster().get();
        target =
            cluster.nodes().stream()
                .filter(n -> n.node().id() == node)
                .findFirst()
                .orElseThrow(
                    () -> new CliFailure(2, "node: no node " + node + " in the cluster", null));
      }
      RebuildResponse response;
      try (ReplicaRpc rpc = new ReplicaRpc(target.node().host(), target.node().port())) {
        response = rpc.rebuild(topic, partition);
      }
      if (!response.getError().isEmpty()) {
        throw new CliFailure(1, "rebuild refused: " + response.getError(), null);
      }
      client
          .out()
          .line(
              "node %d: replica of %s-%d (group %d) dropped and rejoining behind a fence"
                  .formatted(node, topic, partition, response.getGroupId()));
      return 0;
    }
  }
}
