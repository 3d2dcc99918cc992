package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile, read as text (no Docker engine here): what it copies exists, the
 * entrypoint and health check are the scripts the other tests run, and it runs as a non-root user.
 */
class DockerImageTest {
  /** Instructions, continuation lines joined. */
  private final List<String> lines =
      DeployTree.read(DeployTree.deploy("docker/Dockerfile"))
          .replaceAll("\\\\\n\\s*", " ")
          .lines()
          .toList();

  @Test
  void buildsWithJdk21AndRunsOnJre21() {
    List<String> from = instructions("FROM ");
    assertEquals(2, from.size(), from.toString());
    assertTrue(from.getFirst().startsWith("eclipse-temurin:21-jdk"), from.getFirst());
    assertTrue(from.getLast().startsWith("eclipse-temurin:21-jre"), from.getLast());
    assertTrue(
        instructions("RUN ").stream().anyMatch(r -> r.contains("package -pl cli -am")),
        "the build stage packages the cli distribution");
  }

  @Test
  void copiesScriptsThatExistToWhereTheEntrypointAndHealthCheckPointTo() {
    String copy =
        instructions("COPY ").stream()
            .filter(c -> c.contains("entrypoint.sh"))
            .findFirst()
            .orElseThrow();
    String[] parts = copy.split("\\s+");
    String target = parts[parts.length - 1];
    for (int i = 0; i < parts.length - 1; i++) {
      assertTrue(Files.isRegularFile(DeployTree.root().resolve(parts[i])), parts[i]);
    }
    assertEquals(List.of("[\"" + target + "entrypoint.sh\"]"), instructions("ENTRYPOINT "));
    assertTrue(
        String.join("\n", lines).contains("CMD [\"" + target + "healthcheck.sh\"]"),
        "HEALTHCHECK runs healthcheck.sh");
  }

  @Test
  void runsAsNonRootWithADataVolume() {
    List<String> users = instructions("USER ");
    assertEquals(1, users.size());
    assertFalse(users.getFirst().startsWith("root") || users.getFirst().startsWith("0"));
    assertEquals(List.of("[\"/var/lib/keel\"]"), instructions("VOLUME "));
  }

  @Test
  void buildContextKeepsWhatTheBuildNeeds() {
    String ignore = DeployTree.read(DeployTree.root().resolve(".dockerignore"));
    for (String needed : List.of("mvnw", ".mvn", "bin", "pom.xml", "deploy", "cli")) {
      assertFalse(
          ignore.lines().anyMatch(l -> l.strip().replaceAll("/$", "").equals(needed)),
          ".dockerignore drops " + needed);
    }
    assertTrue(ignore.contains("**/target/"), "build outputs stay out of the context");
  }

  private List<String> instructions(String keyword) {
    return lines.stream()
        .filter(l -> l.startsWith(keyword))
        .map(l -> l.substring(keyword.length()).trim())
        .toList();
  }
}
