package io.keel.chaos.cluster;

import io.keel.chaos.net.NodeAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders a broker's properties file (keys as io.keel.broker.BrokerMain reads them). */
final class BrokerConfigFile {
  private BrokerConfigFile() {}

  /** Voter addresses are as seen from this node, so proxied links apply to its peer traffic. */
  static String render(int node, NodeAddresses a, Path dataDir, ClusterSpec spec) {
    List<String> voters = new ArrayList<>();
    for (int id = 1; id <= spec.nodes(); id++) {
      voters.add(id + "@" + (id == node ? a.listen() : a.peers().get(id)));
    }
    Map<String, String> props = new TreeMap<>();
    props.put("node.id", Integer.toString(node));
    props.put("listen.address", a.listen());
    props.put("advertised.address", a.advertised());
    props.put("http.address", a.http());
    props.put("data.dir", dataDir.toAbsolutePath().toString());
    props.put("controller.quorum.voters", String.join(",", voters));
    props.put("fsync", spec.fsync());
    props.put("raft.tick.ms", Long.toString(spec.raftTick().toMillis()));
    spec.brokerProperties()
        .forEach(
            (k, v) -> {
              if (props.putIfAbsent(k, v) != null) {
                throw new IllegalArgumentException(
                    "brokerProperties: '" + k + "' is written by the harness itself");
              }
            });
    StringBuilder out = new StringBuilder("# Written by the Keel chaos harness\n");
    props.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    return out.toString();
  }

  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("writing broker config " + file, e);
    }
  }
}
