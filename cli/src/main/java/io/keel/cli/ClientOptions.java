package io.keel.cli;

import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** Options every command that talks to a cluster shares. */
final class ClientOptions {
  static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9091";

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

  KeelAdmin admin() {
    return new KeelAdmin(KeelAdminConfig.builder().bootstrap(bootstrapServers()).build());
  }

  Output out() {
    return new Output(output, System.out);
  }
}
