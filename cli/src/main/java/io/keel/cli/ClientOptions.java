package io.keel.cli;

import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command that talks to a cluster shares. */
final class ClientOptions {
  static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9091";
  private static final int PROBE_TIMEOUT_MS = 2_000;

  @Option(
      names = {"-b", "--bootstrap"},
      paramLabel = "HOST:PORT[,...]",
      description = "Brokers to contact first (default: $KEEL_BOOTSTRAP, else 127.0.0.1:9091).")
  String bootstrap;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
  Output.Format output;

  String[] bootstrapServers() {
    String value = bootstrap;
    if (value == null || value.isBlank()) {
      value = System.getenv().getOrDefault("KEEL_BOOTSTRAP", DEFAULT_BOOTSTRAP);
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toArray(String[]::new);
  }

  /**
   * Fails at once, naming the addresses, when no bootstrap node accepts a TCP connection: the
   * clients would otherwise retry for their whole timeout before saying the cluster is down.
   */
  void requireReachable() {
    List<String> failures = new ArrayList<>();
    for (String server : bootstrapServers()) {
      int colon = server.lastIndexOf(':');
      try {
        String host = server.substring(0, Math.max(0, colon)).replaceAll("^\\[|]$", "");
        connect(host, Integer.parseInt(server.substring(colon + 1)));
        return;
      } catch (IOException | IllegalArgumentException e) {
        failures.add(server + ": " + e.getMessage());
      }
    }
    throw new CliFailure(
        ErrorHandler.EXIT_FAILURE,
        "no broker reachable ("
            + String.join("; ", failures)
            + "); is the cluster running? `keel dev` starts a local one",
        null);
  }

  /** True when {@code host:port} accepts a TCP connection within the probe timeout. */
  static boolean accepts(String host, int port) {
    try {
      connect(host, port);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MS);
    }
  }

  KeelAdmin admin() {
    requireReachable();
    return new KeelAdmin(KeelAdminConfig.builder().bootstrap(bootstrapServers()).build());
  }

  Output out() {
    return new Output(output, System.out);
  }
}
