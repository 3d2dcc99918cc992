package io.keel.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.logstore.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
  private static final Map<String, String> REQUIRED =
      Map.of(
          "node.id", "1",
          "data.dir", "/tmp/keel-1",
          "controller.quorum.voters", "1@localhost:9092,2@localhost:9093,3@localhost:9094");

  @TempDir Path dir;

  @Test
  void defaultsApplyAndRequiredKeysAreTyped() {
    BrokerConfig config = BrokerConfig.of(REQUIRED);
    assertEquals(1, config.nodeId());
    assertEquals(new FsyncPolicy.Always(), config.fsync());
    assertEquals(Duration.ofMillis(50), config.raftTick());
    assertEquals(3, config.controllerQuorumVoters().size());
    assertEquals(new HostPort("localhost", 9093), config.controllerQuorumVoters().get(2));
    assertTrue(config.isController());
  }

  @Test
  void propertiesFileThenEnvironmentThenOverridesWin() throws IOException {
    Path file = dir.resolve("keel.properties");
    Files.writeString(
        file,
        "node.id=1\ndata.dir=/tmp/x\ncontroller.quorum.voters=1@h:1\n"
            + "raft.tick.ms=50\ndefault.partitions=4\nfsync=never\n");
    BrokerConfig config =
        BrokerConfig.load(
            Optional.of(file),
            Map.of("KEEL_RAFT_TICK_MS", "30", "KEEL_DEFAULT_PARTITIONS", "5"),
            Map.of("default.partitions", "6"));
    assertEquals(Duration.ofMillis(30), config.raftTick());
    assertEquals(6, config.defaultPartitions());
    assertEquals(new FsyncPolicy.Never(), config.fsync());
  }

  @Test
  void yamlNestedMapsAndListsFlattenToKeys() throws IOException {
    Path file = dir.resolve("keel.yaml");
    Files.writeString(
        file,
        """
        node:
          id: 2
        data.dir: /tmp/y
        controller:
          quorum:
            voters: [1@a:1, 2@b:2]
        fsync: interval=25
        """);
    BrokerConfig config = BrokerConfig.load(Optional.of(file), Map.of(), Map.of());
    assertEquals(2, config.nodeId());
    assertEquals(new FsyncPolicy.Interval(Duration.ofMillis(25)), config.fsync());
    assertEquals(new HostPort("b", 2), config.controllerQuorumVoters().get(2));
  }

  @Test
  void unknownKeyInFileIsRejectedNamingIt() throws IOException {
    Path file = dir.resolve("keel.properties");
    Files.writeString(file, "node.id=1\nraft.tick.msec=5\n");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> BrokerConfig.load(Optional.of(file), Map.of(), Map.of()));
    assertEquals("raft.tick.msec", e.key());
  }

  @Test
  void unknownOverrideIsRejectedNamingIt() {
    Map<String, String> values = new HashMap<>(REQUIRED);
    values.put("no.such.key", "1");
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(values));
    assertEquals("no.such.key", e.key());
  }

  @Test
  void badValuesAreRejectedNamingTheKeyAndTheValue() {
    assertRejected("node.id", "zero", "must be an integer");
    assertRejected("node.id", "0", "between 1 and");
    assertRejected("fsync", "sometimes", "always, never or interval=<ms>");
    assertRejected("listen.address", "nohost", "host:port");
    assertRejected("controller.quorum.voters", "1@a:1,1@b:2", "appears twice");
    assertRejected("retention.ms", "0", "-1 (unlimited)");
    assertRejected("raft.election.ticks", "1", "between 2 and");
  }

  @Test
  void inconsistentValuesAreRejected() {
    assertRejected("raft.heartbeat.ticks", "10", "raft.election.ticks", "must be greater");
    assertRejected(
        "broker.heartbeat.interval.ms", "9000", "broker.heartbeat.interval.ms", "must be less");
  }

  @Test
  void missingRequiredKeyIsNamed() {
    Map<String, String> values = new HashMap<>(REQUIRED);
    values.remove("data.dir");
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(values));
    assertEquals("data.dir", e.key());
  }

  @Test
  void everyKeyIsDocumented() throws IOException {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(doc);
    for (ConfigKey<?> key : BrokerConfig.KEYS) {
      assertTrue(text.contains("`" + key.name() + "`"), key.name() + " missing from " + doc);
      assertTrue(text.contains("`" + key.envName() + "`"), key.envName() + " missing from " + doc);
    }
  }

  private static void assertRejected(String key, String value, String expected) {
    assertRejected(key, value, key, expected);
  }

  private static void assertRejected(String key, String value, String namedKey, String expected) {
    Map<String, String> values = new HashMap<>(REQUIRED);
    values.put(key, value);
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(values));
    assertEquals(namedKey, e.key());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
