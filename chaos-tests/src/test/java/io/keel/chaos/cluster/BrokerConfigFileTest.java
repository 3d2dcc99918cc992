package io.keel.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.net.NodeAddresses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A workload's broker settings reach every node's file, but never replace the harness's own. */
class BrokerConfigFileTest {
  private static final NodeAddresses ADDRESSES =
      new NodeAddresses("127.0.0.1:1", "127.0.0.1:1", "127.0.0.1:2", Map.of(1, "127.0.0.1:1"));

  private static ClusterSpec spec(Map<String, String> extra) {
    return new ClusterSpec(
        1,
        Path.of("w"),
        NetworkMode.PROXY,
        ClusterSpec.BROKER_MAIN,
        List.of(),
        "always",
        Duration.ofMillis(50),
        Duration.ofSeconds(5),
        false,
        Duration.ZERO,
        extra);
  }

  @Test
  void extraSettingsAreWritten() {
    String file =
        BrokerConfigFile.render(
            1, ADDRESSES, Path.of("d"), spec(Map.of("share.record.lock.duration.ms", "2500")));
    assertTrue(file.contains("\nshare.record.lock.duration.ms=2500\n"), file);
    assertTrue(file.contains("\nfsync=always\n"), file);
  }

  @Test
  void aSettingTheHarnessWritesIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BrokerConfigFile.render(
                    1, ADDRESSES, Path.of("d"), spec(Map.of("fsync", "never"))));
    assertTrue(e.getMessage().contains("'fsync'"), e.getMessage());
  }
}
