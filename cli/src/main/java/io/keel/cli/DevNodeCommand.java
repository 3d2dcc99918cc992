package io.keel.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel dev node start|stop N}: one node of a running {@code keel dev}, from elsewhere. */
@Command(
    name = "node",
    description = "Stop or start one node of a running `keel dev` cluster (from another terminal).",
    subcommands = {DevNodeCommand.Stop.class, DevNodeCommand.Start.class})
final class DevNodeCommand {

  /** Options both subcommands share. */
  static final class Target {
    @Parameters(paramLabel = "NODE", description = "Node id (1..N).")
    int nodeId;

    @Option(
        names = "--data-dir",
        defaultValue = "data/dev",
        description = "The `keel dev` data directory (default: ./data/dev).")
    Path dataDir;

    Path nodeDir() {
      Path dir = dataDir.toAbsolutePath().resolve("node-" + nodeId);
      if (!Files.isRegularFile(dir.resolve("keel.properties"))) {
        throw new CliFailure(
            ErrorHandler.EXIT_FAILURE,
            "no node "
                + nodeId
                + " in "
                + dataDir.toAbsolutePath()
                + " (no "
                + dir
                + "/keel.properties); is --data-dir the one `keel dev` uses?",
            null);
      }
      return dir;
    }
  }

  @Command(
      name = "stop",
      description = "Stop a node: SIGTERM (controlled shutdown), or SIGKILL with --kill.",
      footer = {"", "Examples:", "  keel dev node stop 2", "  keel dev node stop 2 --kill"})
  static final class Stop implements Callable<Integer> {
    private static final Duration STOP_WAIT = Duration.ofSeconds(40);

    @picocli.CommandLine.Mixin Target target;

    @Option(names = "--kill", description = "kill -9: no shutdown, as a crash would.")
    boolean kill;

    @Override
    public Integer call() throws Exception {
      Path dir = target.nodeDir();
      ProcessHandle process =
          DevNodes.running(dir.resolve("broker.pid"))
              .orElseThrow(
                  () ->
                      new CliFailure(
                          ErrorHandler.EXIT_FAILURE,
                          "node " + target.nodeId + " is not running",
                          null));
      boolean sent = kill ? process.destroyForcibly() : process.destroy();
      if (!sent) {
        throw new CliFailure(ErrorHandler.EXIT_FAILURE, "cannot signal pid " + process.pid(), null);
      }
      process.onExit().get(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      System.out.printf(
          "node %d (pid %d) %s%n", target.nodeId, process.pid(), kill ? "killed" : "stopped");
      return 0;
    }
  }

  @Command(
      name = "start",
      description =
          "Start a stopped node again on its data directory. The `keel dev` supervising the"
              + " cluster starts it (so Ctrl-C there stops it too); this waits until it is ready.",
      footer = {"", "Examples:", "  keel dev node start 2"})
  static final class Start implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(200);

    @picocli.CommandLine.Mixin Target target;

    @Option(
        names = "--ready-timeout",
        defaultValue = "60s",
        converter = Durations.class,
        description = "How long to wait for the node to be ready (default: 60s).")
    Duration readyTimeout;

    @Override
    public Integer call() throws Exception {
      Path dir = target.nodeDir();
      Path dataDir = target.dataDir.toAbsolutePath();
      if (DevNodes.running(LocalCluster.supervisorPidFile(dataDir)).isEmpty()) {
        throw new CliFailure(
            ErrorHandler.EXIT_FAILURE,
            "no `keel dev` is running on "
                + dataDir
                + "; start the cluster with `keel dev"
                + " --data-dir "
                + target.dataDir
                + "`",
            null);
      }
      Path pidFile = dir.resolve("broker.pid");
      DevNodes.runningPid(pidFile)
          .ifPresent(
              pid -> {
                throw new CliFailure(
                    ErrorHandler.EXIT_FAILURE,
                    "node " + target.nodeId + " is already running (pid " + pid + ")",
                    null);
              });
      Files.writeString(dir.resolve("start.request"), "start\n");
      String health = "http://" + httpAddress(dir) + "/health/ready";
      long deadline = System.nanoTime() + readyTimeout.toNanos();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      while (!(DevNodes.runningPid(pidFile).isPresent() && isReady(http, health))) {
        if (System.nanoTime() > deadline) {
          throw new CliFailure(
              ErrorHandler.EXIT_FAILURE,
              "node "
                  + target.nodeId
                  + " not ready after "
                  + readyTimeout
                  + "; see "
                  + dir.resolve("broker.log"),
              null);
        }
        Thread.sleep(POLL.toMillis());
      }
      System.out.printf(
          "node %d ready (pid %d)%n", target.nodeId, DevNodes.runningPid(pidFile).orElseThrow());
      return 0;
    }

    private static String httpAddress(Path dir) throws IOException {
      Properties config = new Properties();
      try (Reader in = Files.newBufferedReader(dir.resolve("keel.properties"))) {
        config.load(in);
      }
      return config.getProperty("http.address");
    }

    private static boolean isReady(HttpClient http, String url) throws InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build();
      try {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
