package io.keel.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** docs/openapi.yaml parses and describes exactly the routes {@link HttpApi} serves. */
class OpenApiDocTest {
  static final Set<String> ROUTES =
      Set.of(
          "/v1/cluster",
          "/v1/topics",
          "/v1/topics/{topic}",
          "/v1/topics/{topic}/records",
          "/v1/topics/{topic}/partitions/{partition}/records",
          "/v1/groups/{group}/members",
          "/v1/groups/{group}/members/{member}",
          "/v1/groups/{group}/members/{member}/records",
          "/v1/groups/{group}/members/{member}/commit",
          "/v1/share-groups/{group}",
          "/v1/share-groups/{group}/poll",
          "/v1/share-groups/{group}/acks",
          "/v1/share-groups/{group}/members/{member}");

  @Test
  void describesEveryRoute() throws IOException {
    String text = Files.readString(Path.of("..", "docs", "openapi.yaml"));
    Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    assertEquals("3.0.3", doc.get("openapi"));
    @SuppressWarnings("unchecked")
    Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
    assertEquals(new TreeSet<>(ROUTES), new TreeSet<>(paths.keySet()));
  }
}
