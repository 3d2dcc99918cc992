package io.keel.broker.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keel.broker.BrokerMain;
import io.keel.broker.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point refuses bad configuration before starting anything. */
class BrokerMainTest {
  @TempDir Path dir;

  @Test
  void unknownKeyInTheFileStopsStartupNamingIt() throws IOException {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "node.id: 1\ndata.dir: " + dir + "\nlisten.adress: 127.0.0.1:0\n");
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerMain.run(file, Map.of()));
    assertEquals("listen.adress", e.key());
  }

  @Test
  void badOverrideStopsStartupNamingIt() throws IOException {
    Path file = dir.resolve("node.properties");
    Files.writeString(
        file, "node.id=1\ndata.dir=" + dir + "\ncontroller.quorum.voters=1@127.0.0.1:1\n");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> BrokerMain.run(file, Map.of("raft.tick.ms", "fast")));
    assertEquals("raft.tick.ms", e.key());
  }
}
