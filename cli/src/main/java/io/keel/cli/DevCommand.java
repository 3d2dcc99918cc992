package io.keel.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel dev}: a local cluster of separate broker processes on loopback. */
@Command(
    name = "dev",
    description =
        "Run a local cluster of broker processes on 127.0.0.1 until Ctrl-C. A node that dies is"
            + " reported (how it exited) and left down while the others keep running; restart it"
            + " with `keel dev node start N`, stop one with `keel dev node stop N [--kill]`.",
    subcommands = DevNodeCommand.class,
    footer = {
      "",
      "Examples:",
      "  keel dev                      # three nodes: gRPC 9091-9093, HTTP 9191-9193",
      "  keel dev --nodes 5 --data-dir /tmp/keel",
      "  keel dev --fsync never        # faster, not durable across power loss",
      "  keel dev node stop 2 --kill   # from another terminal: crash node 2 ...",
      "  keel dev node start 2         # ... and bring it back on its data"
    })
final class DevCommand implements Callable<Integer> {

  @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: 3).")
  int nodes;

  @Option(
      names = "--data-dir",
      defaultValue = "data/dev",
      description = "Where nodes keep their data, kept across restarts (default: ./data/dev).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "9091",
      description = "Client gRPC port of node 1; node i listens on PORT+i-1 (default: 9091).")
  int basePort;

  @Option(
      names = "--http-port",
      defaultValue = "9191",
      description = "HTTP (metrics, health) port of node 1 (default: 9191).")
  int baseHttpPort;

  @Option(
      names = "--fsync",
      defaultValue = "always",
      description = "fsync policy: always, interval=<ms> or never (default: always).")
  String fsync;

  @Option(
      names = "--ready-timeout",
      defaultValue = "120s",
      converter = Durations.class,
      description = "How long to wait for the cluster to be ready (default: 120s).")
  Duration readyTimeout;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("--nodes must be between 1 and 9, was " + nodes);
    }
    LocalCluster cluster =
        new LocalCluster(
            LocalCluster.Layout.loopback(nodes, dataDir.toAbsolutePath(), basePort, baseHttpPort),
            dataDir.toAbsolutePath(),
            fsync,
            System.err);
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  System.err.println("keel dev: stopping " + nodes + " nodes ...");
                  cluster.close();
                },
                "keel-dev-shutdown"));
    long startNanos = System.nanoTime();
    cluster.start();
    cluster.awaitReady(readyTimeout);
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    System.out.println(cluster.summary(took));
    cluster.supervise(); // until Ctrl-C closes the cluster
    return stopping.get() ? 0 : 1;
  }
}
