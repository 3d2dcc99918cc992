package io.keel.broker.partition;

import io.keel.broker.BrokerMain;
import io.keel.broker.testing.LoopbackPorts;
import io.keel.broker.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Nodes as separate JVM processes ({@code java -cp <test class path> BrokerMain --config FILE}),
 * each with its own data directory and port, so a node can be killed with SIGKILL like a crashed
 * machine. Output of node N goes to {@code node-N.log} in the cluster's directory.
 */
final class ProcessCluster implements AutoCloseable {
  private final Path root;
  private final int[] ports;
  private final Process[] processes;

  private ProcessCluster(Path root, int[] ports) {
    this.root = root;
    this.ports = ports;
    this.processes = new Process[ports.length];
  }

  static ProcessCluster start(int n) throws IOException {
    ProcessCluster cluster =
        new ProcessCluster(Files.createTempDirectory("keel-processes"), LoopbackPorts.reserve(n));
    for (int id = 1; id <= n; id++) {
      cluster.startNode(id);
    }
    return cluster;
  }

  String bootstrap() {
    List<String> out = new ArrayList<>();
    for (int port : ports) {
      out.add("127.0.0.1:" + port);
    }
    return String.join(",", out);
  }

  void startNode(int nodeId) throws IOException {
    Path config = root.resolve("node-" + nodeId + ".properties");
    Files.writeString(config, configOf(nodeId));
    String java = ProcessHandle.current().info().command().orElse("java");
    processes[nodeId - 1] =
        new ProcessBuilder(
                java,
                // The test logging config is quiet; the "ready" line this class waits for is INFO.
                "-Dkeel.log.level=INFO",
                "-cp",
                System.getProperty("java.class.path"),
                BrokerMain.class.getName(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(nodeId).toFile()))
            .start();
  }

  private String configOf(int nodeId) {
    Map<String, String> values = new TreeMap<>(TestCluster.FAST_DEFAULTS);
    // Separate JVMs on a busy machine pause longer than the in-JVM cluster's short session.
    values.put("broker.session.timeout.ms", "10000");
    values.put("node.id", Integer.toString(nodeId));
    values.put("listen.address", "127.0.0.1:" + ports[nodeId - 1]);
    values.put("http.address", "127.0.0.1:0");
    values.put("data.dir", root.resolve("data-" + nodeId).toString());
    List<String> voters = new ArrayList<>();
    for (int id = 1; id <= ports.length; id++) {
      voters.add(id + "@127.0.0.1:" + ports[id - 1]);
    }
    values.put("controller.quorum.voters", String.join(",", voters));
    return values.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
  }

  Path log(int nodeId) {
    return root.resolve("node-" + nodeId + ".log");
  }

  /** Waits for the node's "keel node N ready" line (it may appear again after a restart). */
  void awaitReady(int nodeId, int readyLines, Duration timeout) {
    String line = "keel node " + nodeId + " ready";
    TestCluster.await(
        timeout,
        () -> countLines(nodeId, line) >= readyLines,
        () -> "node " + nodeId + " not ready; log at " + log(nodeId));
  }

  private long countLines(int nodeId, String needle) {
    try (Stream<String> lines = Files.lines(log(nodeId))) {
      return lines.filter(l -> l.contains(needle)).count();
    } catch (IOException e) {
      return 0;
    }
  }

  /** SIGKILL: the process gets no chance to flush or hand over anything. */
  void kill(int nodeId) {
    Process p = processes[nodeId - 1];
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while killing node " + nodeId, e);
    }
    processes[nodeId - 1] = null;
  }

  @Override
  public void close() throws IOException {
    for (int id = 1; id <= processes.length; id++) {
      if (processes[id - 1] != null) {
        kill(id);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
