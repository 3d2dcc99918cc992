package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.internal.ConfigDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/client.md lists every configuration key with its real default. */
class ConfigDocTest {
  private static final Path DOC = Path.of("..", "docs", "client.md");

  static String table(ConfigDef def) {
    StringBuilder sb = new StringBuilder("| key | default | meaning |\n| --- | --- | --- |\n");
    for (ConfigDef.Key key : def.keys()) {
      Object d = key.defaultValue();
      String shown =
          d == ConfigDef.REQUIRED
              ? "(required)"
              : d == null ? "(unset)" : d.toString().isEmpty() ? "\"\"" : d.toString();
      sb.append("| `")
          .append(key.name())
          .append("` | ")
          .append(shown)
          .append(" | ")
          .append(key.doc())
          .append(" |\n");
    }
    return sb.toString();
  }

  @Test
  void examplesInTheDocAreTheCompiledOnes() throws IOException {
    String doc = Files.readString(DOC);
    for (String name : List.of("ProducerExample", "ConsumerExample", "AdminExample")) {
      String source =
          Files.readString(Path.of("src/test/java/io/keel/client/examples", name + ".java"));
      String body = source.substring(source.indexOf("\n\n") + 2).strip();
      assertTrue(doc.contains(body), name + " in docs/client.md differs from the compiled example");
    }
  }

  @Test
  void everyKeyIsDocumentedWithItsDefault() throws IOException {
    String doc = Files.readString(DOC);
    Map<String, ConfigDef> defs =
        Map.of(
            "producer", KeelProducerConfig.DEFINITION,
            "consumer", KeelConsumerConfig.DEFINITION,
            "admin", KeelAdminConfig.DEFINITION);
    StringBuilder expected = new StringBuilder();
    boolean ok = true;
    for (var e : defs.entrySet()) {
      String table = table(e.getValue());
      expected.append("### ").append(e.getKey()).append("\n\n").append(table).append('\n');
      ok &= doc.contains(table);
    }
    if (!ok) {
      Path out = Path.of("target", "config-tables.md");
      Files.writeString(out, expected);
      assertTrue(
          false, "docs/client.md config tables are stale; regenerated in " + out.toAbsolutePath());
    }
  }
}
