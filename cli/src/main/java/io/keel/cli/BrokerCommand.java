package io.keel.cli;

import io.keel.broker.BrokerMain;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel broker}: runs one node in the foreground until SIGTERM. */
@Command(
    name = "broker",
    description = "Run one broker node until SIGTERM (controlled shutdown).",
    footer = {
      "",
      "Every key can also come from the environment: node.id -> KEEL_NODE_ID.",
      "",
      "Examples:",
      "  keel broker --config /etc/keel/keel.properties",
      "  keel broker --config keel.yaml --set fsync=never --set node.id=2"
    })
final class BrokerCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties or YAML file.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one configuration key (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() {
    return BrokerMain.run(config, overrides);
  }
}
