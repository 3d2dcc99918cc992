package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.config.BrokerConfig;
import io.keel.broker.config.ConfigKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md's configuration table matches the broker's BrokerConfig, and the deploy files'
 * shutdown grace periods leave room for the broker's controlled shutdown.
 */
class ConfigDocsTest {
  private static final Pattern ROW =
      Pattern.compile("(?m)^\\| `([a-z.]+)` \\| `(KEEL_[A-Z_]+)` \\| ([^|]+) \\|");

  @Test
  void configurationTableListsEveryKeyWithItsVariableAndDefault() {
    Map<String, String[]> rows = new HashMap<>();
    Matcher matcher = ROW.matcher(DeployTree.read(DeployTree.root().resolve("docs/operations.md")));
    while (matcher.find()) {
      rows.put(matcher.group(1), new String[] {matcher.group(2), matcher.group(3).trim()});
    }
    Set<String> undocumented = new TreeSet<>(BrokerConfigKeys.keys());
    undocumented.removeAll(rows.keySet());
    assertEquals(Set.of(), undocumented, "keys missing from the docs/operations.md table");
    Set<String> unknown = new TreeSet<>(rows.keySet());
    unknown.removeAll(BrokerConfigKeys.keys());
    assertEquals(Set.of(), unknown, "documented keys the broker does not have");
    for (ConfigKey<?> key : BrokerConfig.KEYS) {
      String[] row = rows.get(key.name());
      assertEquals(key.envName(), row[0], key.name());
      assertEquals(documentedDefault(key), row[1], "default of " + key.name());
    }
  }

  @Test
  void gracePeriodsOutlastTheControlledShutdown() {
    Duration shutdown =
        Duration.ofMillis(
            Long.parseLong(BrokerConfig.CONTROLLED_SHUTDOWN_TIMEOUT_MS.defaultValue()));
    Duration kubernetes =
        Duration.ofSeconds(
            DeployTree.at(
                    KubernetesManifestsTest.one("StatefulSet"),
                    "/spec/template/spec/terminationGracePeriodSeconds")
                .asLong());
    String composeGrace =
        DeployTree.at(
                DeployTree.yaml(DeployTree.deploy("compose/docker-compose.yml")),
                "/services/keel-1/stop_grace_period")
            .asText();
    assertTrue(composeGrace.matches("\\d+s"), composeGrace);
    Duration compose = Duration.ofSeconds(Long.parseLong(composeGrace.replace("s", "")));
    // Leadership hand-off may take the whole timeout; then the final sync and exit.
    Duration margin = Duration.ofSeconds(10);
    assertTrue(kubernetes.compareTo(shutdown.plus(margin)) >= 0, kubernetes + " vs " + shutdown);
    assertTrue(compose.compareTo(shutdown.plus(margin)) >= 0, compose + " vs " + shutdown);
  }

  private static String documentedDefault(ConfigKey<?> key) {
    if (key.required()) {
      return "required";
    }
    return key.defaultValue().isEmpty() ? "derived" : "`" + key.defaultValue() + "`";
  }
}
