package io.keel.cli.deploy;

import io.keel.broker.config.BrokerConfig;
import io.keel.broker.config.ConfigKey;
import java.util.Set;
import java.util.TreeSet;

/** The broker's real config keys (BrokerConfig.KEYS) and their KEEL_* environment names. */
final class BrokerConfigKeys {
  /** Variables entrypoint.sh reads itself; the broker ignores them. */
  static final Set<String> ENTRYPOINT_VARIABLES =
      Set.of("KEEL_HOME", "KEEL_JAVA", "KEEL_JAVA_OPTS", "KEEL_CONFIG_FILE");

  private BrokerConfigKeys() {}

  static Set<String> keys() {
    Set<String> keys = new TreeSet<>();
    BrokerConfig.KEYS.forEach(key -> keys.add(key.name()));
    return keys;
  }

  /** The broker's own rule, e.g. node.id -> KEEL_NODE_ID. */
  static String environmentName(String key) {
    return BrokerConfig.KEYS.stream()
        .filter(k -> k.name().equals(key))
        .map(ConfigKey::envName)
        .findFirst()
        .orElseThrow(() -> new AssertionError("not a broker config key: " + key));
  }

  static Set<String> environmentNames() {
    Set<String> names = new TreeSet<>();
    BrokerConfig.KEYS.forEach(key -> names.add(key.envName()));
    return names;
  }
}
