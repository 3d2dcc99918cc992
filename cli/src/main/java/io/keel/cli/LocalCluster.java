package io.keel.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Broker processes on one machine, each started the way users start one ({@code BrokerMain} with a
 * config file), supervised until {@link #close()}: SIGTERM (controlled shutdown), then kill. A node
 * that dies is reported and left down; the others keep running. Control files in the data directory
 * let {@code keel dev node start|stop} act on one node from another terminal: the supervisor's pid
 * ({@code dev.pid}), each broker's pid ({@code node-N/broker.pid}) and a start request ({@code
 * node-N/start.request}) that the supervisor picks up within 200 ms.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  static final String DEFAULT_DATA_DIR = "data/dev";
  private static final int CONTROLLERS_MAX = 3;
  private static final Duration SUPERVISE_INTERVAL = Duration.ofMillis(200);

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

    /** The running broker's process id, written by the supervisor. */
    Path pidFile() {
      return dir.resolve("broker.pid");
    }

    /** Asks the supervisor to start this node again ({@code keel dev node start}). */
    Path startRequestFile() {
      return dir.resolve("start.request");
    }
  }

  private final Layout layout;
  private final String fsync;
  private final Path supervisorPidFile;
  private final PrintStream log;
  private final String dataDirOption; // for the commands we suggest; empty for the default
  private final Map<Integer, Process> processes = new TreeMap<>(); // guarded by itself
  private final Set<Integer> reportedExits = new HashSet<>(); // supervisor thread only
  private boolean closed; // guarded by processes
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** {@code log} gets one line per event: started, ready, exited. */
  LocalCluster(Layout layout, Path dataDir, String fsync, PrintStream log) {
    this.layout = layout;
    this.log = log;
    this.fsync = fsync;
    this.supervisorPidFile = supervisorPidFile(dataDir);
    boolean isDefault = dataDir.equals(Path.of(DEFAULT_DATA_DIR).toAbsolutePath());
    this.dataDirOption = isDefault ? "" : " --data-dir " + dataDir;
  }

  /** Holds the pid of the {@code keel dev} supervising the cluster in {@code dataDir}. */
  static Path supervisorPidFile(Path dataDir) {
    return dataDir.resolve("dev.pid");
  }

  void start() throws IOException {
    for (NodeLayout node : layout.nodes()) {
      DevNodes.runningPid(node.pidFile())
          .ifPresent(
              pid -> {
                throw new IllegalStateException(
                    "node "
                        + node.id()
                        + " of an earlier `keel dev` is still running (pid "
                        + pid
                        + "); stop it with `keel dev node stop "
                        + node.id()
                        + "`");
              });
    }
    Files.createDirectories(supervisorPidFile.getParent());
    DevNodes.writePidFile(supervisorPidFile, ProcessHandle.current());
    for (NodeLayout node : layout.nodes()) {
      Files.createDirectories(node.dir());
      Files.writeString(node.configFile(), config(node));
      Files.deleteIfExists(node.startRequestFile());
      startNode(node);
    }
  }

  private void startNode(NodeLayout node) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Distribution.javaCommand(
                    "io.keel.broker.BrokerMain", "--config", node.configFile().toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile().toFile()));
    Process process;
    synchronized (processes) {
      if (closed) {
        return;
      }
      process = builder.start();
      processes.put(node.id(), process);
    }
    DevNodes.writePidFile(node.pidFile(), process.toHandle());
    log.printf(
        "keel dev: started node %d (%s, pid %d), log %s%n",
        node.id(), node.address(), process.pid(), node.logFile());
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
        log.printf("keel dev: %d/%d nodes ready%n", ready, layout.nodes().size());
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
      return processes.values().stream().anyMatch(p -> !p.isAlive());
    }
  }

  /**
   * Watches the nodes until {@link #close()}: reports each node that exits (the others keep
   * running) and starts a node again when {@code keel dev node start} asks for it.
   */
  void supervise() throws InterruptedException {
    while (!isClosed()) {
      for (NodeLayout node : layout.nodes()) {
        maybeReportExit(node);
        maybeRestart(node);
      }
      Thread.sleep(SUPERVISE_INTERVAL.toMillis());
    }
  }

  private boolean isClosed() {
    synchronized (processes) {
      return closed;
    }
  }

  private void maybeReportExit(NodeLayout node) {
    Process process;
    synchronized (processes) {
      process = processes.get(node.id());
    }
    if (process == null || process.isAlive() || !reportedExits.add(node.id()) || isClosed()) {
      return;
    }
    deleteQuietly(node.pidFile());
    log.printf(
        "keel dev: node %d exited (%s); the other nodes keep running. Logs: %s%n"
            + "keel dev: `keel cluster status` shows the partitions it affects;"
            + " `keel dev node start %d%s` restarts it on its data%n",
        node.id(),
        DevNodes.describeExit(process.exitValue()),
        node.logFile(),
        node.id(),
        dataDirOption);
  }

  private void maybeRestart(NodeLayout node) {
    if (!Files.exists(node.startRequestFile())) {
      return;
    }
    deleteQuietly(node.startRequestFile());
    Process process;
    synchronized (processes) {
      process = processes.get(node.id());
    }
    if (process != null && process.isAlive()) {
      log.printf("keel dev: node %d is already running%n", node.id());
      return;
    }
    try {
      reportedExits.remove(node.id());
      startNode(node);
    } catch (IOException e) {
      log.printf("keel dev: cannot start node %d: %s%n", node.id(), e.getMessage());
    }
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.printf("keel dev: cannot delete %s: %s%n", file, e.getMessage());
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
    out.append("  kill a node: ./keel dev node stop 2 --kill")
        .append(dataDirOption)
        .append("   bring it back: ./keel dev node start 2")
        .append(dataDirOption)
        .append('\n');
    out.append("Press Ctrl-C to stop.");
    return out.toString();
  }

  @Override
  public void close() {
    List<Process> running;
    synchronized (processes) {
      closed = true;
      running = List.copyOf(processes.values());
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
    layout.nodes().forEach(n -> deleteQuietly(n.pidFile()));
    deleteQuietly(supervisorPidFile);
  }
}
