package io.keel.cli.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Broker processes on loopback, each started by deploy/docker/entrypoint.sh from KEEL_* environment
 * variables, exactly as the image starts one. The last node gets no KEEL_NODE_ID: it derives its id
 * from a StatefulSet-style hostname.
 */
final class EntrypointCluster implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  record Node(int id, int port, int httpPort, Path dir, Process process) {
    Path log() {
      return dir.resolve("broker.log");
    }

    String httpAddress() {
      return "127.0.0.1:" + httpPort;
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** Starts {@code count} nodes from the distribution in {@code home}, files under {@code dir}. */
  static EntrypointCluster start(int count, Path home, Path dir) throws IOException {
    EntrypointCluster cluster = new EntrypointCluster();
    int[] ports = freePorts(2 * count);
    String voters =
        java.util.stream.IntStream.rangeClosed(1, count)
            .mapToObj(id -> id + "@127.0.0.1:" + ports[id - 1])
            .collect(Collectors.joining(","));
    for (int id = 1; id <= count; id++) {
      Path nodeDir = Files.createDirectories(dir.resolve("node-" + id));
      int port = ports[id - 1];
      int httpPort = ports[count + id - 1];
      ProcessBuilder builder =
          new ProcessBuilder("sh", DeployTree.deploy("docker/entrypoint.sh").toString())
              .redirectErrorStream(true)
              .redirectOutput(nodeDir.resolve("broker.log").toFile());
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(name -> name.startsWith("KEEL_"));
      env.put("KEEL_HOME", home.toString());
      env.put("KEEL_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
      env.put("KEEL_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
      env.put("KEEL_CONFIG_FILE", nodeDir.resolve("keel.properties").toString());
      env.put("KEEL_DATA_DIR", nodeDir.resolve("data").toString());
      env.put("KEEL_LISTEN_ADDRESS", "127.0.0.1:" + port);
      env.put("KEEL_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
      env.put("KEEL_HTTP_ADDRESS", "127.0.0.1:" + httpPort);
      env.put("KEEL_CONTROLLER_QUORUM_VOTERS", voters);
      env.put("KEEL_DEFAULT_REPLICATION_FACTOR", String.valueOf(Math.min(3, count)));
      if (id < count) {
        env.put("KEEL_NODE_ID", String.valueOf(id));
      } else {
        env.put("HOSTNAME", "keel-" + (id - 1));
      }
      cluster.nodes.add(new Node(id, port, httpPort, nodeDir, builder.start()));
    }
    return cluster;
  }

  /** host:port,... of every node, for clients. */
  String bootstrap() {
    return nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
  }

  List<Node> nodes() {
    return nodes;
  }

  /** Waits until every node answers 200 on /health/ready; fails early if one exits. */
  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!nodes.stream().allMatch(n -> status(n, "/health/ready") == 200)) {
      for (Node node : nodes) {
        if (!node.process().isAlive()) {
          throw new AssertionError(
              "node "
                  + node.id()
                  + " exited with "
                  + node.process().exitValue()
                  + ":\n"
                  + logTail(node));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not ready after " + timeout + "; logs:\n" + logTails());
      }
      Thread.sleep(200);
    }
  }

  int status(Node node, String path) {
    try {
      return http.send(request(node, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  String get(Node node, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request(node, path), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError(path + " on node " + node.id() + ": " + response.statusCode());
    }
    return response.body();
  }

  private static HttpRequest request(Node node, String path) {
    return HttpRequest.newBuilder(URI.create("http://" + node.httpAddress() + path))
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  /** SIGTERM (controlled shutdown); true when it exited within the grace period. */
  boolean stop(Node node) throws InterruptedException {
    node.process().destroy();
    if (node.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    node.process().destroyForcibly().waitFor();
    return false;
  }

  String logTails() {
    return nodes.stream().map(EntrypointCluster::logTail).collect(Collectors.joining("\n"));
  }

  static String logTail(Node node) {
    try {
      List<String> lines = Files.readAllLines(node.log());
      return "--- node "
          + node.id()
          + " ("
          + node.log()
          + ")\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "--- node " + node.id() + ": no log: " + e;
    }
  }

  @Override
  public void close() {
    nodes.forEach(node -> node.process().destroy());
    try {
      for (Node node : nodes) {
        if (!node.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          node.process().destroyForcibly().waitFor();
        }
      }
    } catch (InterruptedException e) {
      nodes.forEach(node -> node.process().destroyForcibly());
      Thread.currentThread().interrupt();
    }
  }

  /** Ephemeral ports the OS hands out, closed again for the brokers to bind. */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
