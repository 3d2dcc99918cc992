package io.keel.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Broker processes on one machine, each started the way users start one ({@code BrokerMain} with a
 * config file), supervised until {@link #close()}: SIGTERM (controlled shutdown), then kill.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final int CONTROLLERS_MAX = 3;

  /** Where node {@code i} (1-based) listens and keeps its files. */
  record Layout(List<NodeLayout> nodes) {
    static Layout loopback(int count, Path dataDir, int basePort, int baseHttpPort) {
      return new Layout(
          IntStream.rangeClosed(1, count)
              .mapToObj(
                  id ->
                      new NodeLayout(
                          id,
                          "127.0.0.1:" + (basePort + id - 1),
                          "127.0.0.1:" + (baseHttpPort + id - 1),
                          dataDir.resolve("node-" + id)))
              .toList());
    }

    String bootstrap() {
      StringJoiner joiner = new StringJoiner(",");
      nodes.forEach(n -> joiner.add(n.address()));
      return joiner.toString();
    }

    String controllerVoters() {
      StringJoiner joiner = new StringJoiner(",");
      nodes.stream().limit(CONTROLLERS_MAX).forEach(n -> joiner.add(n.id() + "@" + n.address()));
      return joiner.toString();
    }
  }

  record NodeLayout(int id, String address, String httpAddress, Path dir) {
    Path configFile() {
      return dir.resolve("keel.properties");
    }

    Path logFile() {
      return dir.resolve("broker.log");
    }
  }

  private final Layout layout;
  private final String fsync;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  LocalCluster(Layout layout, String fsync) {
    this.layout = layout;
    this.fsync = fsync;
  }

  void start() throws IOException {
    for (NodeLayout node : layout.nodes()) {
      Files.createDirectories(node.dir());
      Files.writeString(node.configFile(), config(node));
      ProcessBuilder builder =
          new ProcessBuilder(
                  Distribution.javaCommand(
                      "io.keel.broker.BrokerMain", "--config", node.configFile().toString()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile().toFile()));
      synchronized (processes) {
        processes.add(builder.start());
      }
      System.err.printf(
          "keel dev: started node %d (%s), log %s%n", node.id(), node.address(), node.logFile());
    }
  }

  private String config(NodeLayout node) {
    return String.join(
        "\n",
        "# Written by `keel dev`; edits are overwritten at the next start.",
        "node.id=" + node.id(),
        "listen.address=" + node.address(),
        "advertised.address=" + node.address(),
        "http.address=" + node.httpAddress(),
        "data.dir=" + node.dir().resolve("data"),
        "controller.quorum.voters=" + layout.controllerVoters(),
        "fsync=" + fsync,
        "default.replication.factor=" + Math.min(3, layout.nodes().size()),
        "");
  }

  /** Waits until every node answers 200 on {@code /health/ready}, printing progress. */
  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int lastReady = -1;
    while (true) {
      int ready = (int) layout.nodes().stream().filter(this::isReady).count();
      if (ready != lastReady) {
        System.err.printf("keel dev: %d/%d nodes ready%n", ready, layout.nodes().size());
        lastReady = ready;
      }
      if (ready == layout.nodes().size()) {
        return;
      }
      if (anyExited()) {
        throw new IllegalStateException("a node exited during start-up; see its broker.log");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "cluster not ready after " + timeout + "; see the nodes' broker.log files");
      }
      Thread.sleep(200);
    }
  }

  private boolean isReady(NodeLayout node) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + node.httpAddress() + "/health/ready"))
            .timeout(Duration.ofSeconds(1))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean anyExited() {
    synchronized (processes) {
      return processes.stream().anyMatch(p -> !p.isAlive());
    }
  }

  void awaitAnyExit() throws InterruptedException {
    while (!anyExited()) {
      Thread.sleep(500);
    }
  }

  String summary(Duration took) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "Keel dev cluster of %d nodes ready in %.1f s%n",
            layout.nodes().size(), took.toMillis() / 1000.0));
    out.append("  bootstrap: ").append(layout.bootstrap()).append('\n');
    for (NodeLayout node : layout.nodes()) {
      out.append(
          String.format(
              "  node %d: gRPC %s  metrics http://%s/metrics  log %s%n",
              node.id(), node.address(), node.httpAddress(), node.logFile()));
    }
    out.append("  try: KEEL_BOOTSTRAP=").append(layout.bootstrap()).append(" ./keel --help\n");
    out.append("Press Ctrl-C to stop.");
    return out.toString();
  }

  @Override
  public void close() {
    List<Process> running;
    synchronized (processes) {
      running = List.copyOf(processes);
    }
    running.forEach(Process::destroy);
    for (Process process : running) {
      try {
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
