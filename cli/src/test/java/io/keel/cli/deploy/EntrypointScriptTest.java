package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/entrypoint.sh with a stand-in for java that records how it was started: the node id
 * it derives, the config file it writes and the command it execs. EntrypointClusterIT starts real
 * brokers with it.
 */
class EntrypointScriptTest {
  private static final String FAKE_JAVA =
      """
      #!/bin/sh
      # Records the command line, one argument per line.
      for arg in "$@"; do echo "$arg"; done > "$(dirname "$0")/args"
      """;

  @TempDir Path dir;
  private Path home;

  @BeforeEach
  void distribution() throws IOException {
    home = Files.createDirectories(dir.resolve("dist"));
    Files.createDirectories(home.resolve("lib"));
    Files.writeString(home.resolve("keel-cli.jar"), "");
    Path java = dir.resolve("java");
    Files.writeString(java, FAKE_JAVA);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void derivesTheNodeIdFromTheStatefulSetOrdinal() throws Exception {
    Run run = run(Map.of("HOSTNAME", "keel-4"));
    assertEquals(0, run.exitCode(), run.output());
    String config = Files.readString(dir.resolve("keel.properties"));
    assertTrue(config.contains("node.id=5\n"), config);
    assertTrue(config.contains("data.dir=/var/lib/keel/data\n"), config);
    assertTrue(config.contains("listen.address=0.0.0.0:9091\n"), config);
    assertTrue(config.contains("http.address=0.0.0.0:9191\n"), config);
  }

  @Test
  void execsTheBrokerWithTheGeneratedConfigAndJavaOptions() throws Exception {
    Run run =
        run(
            Map.of(
                "KEEL_NODE_ID", "2",
                "KEEL_JAVA_OPTS", "-Xmx64m -Dkeel.test=1",
                "KEEL_ADVERTISED_ADDRESS", "keel-2:9091"));
    assertEquals(0, run.exitCode(), run.output());
    List<String> args = Files.readAllLines(dir.resolve("args"));
    assertEquals(
        List.of(
            "-Xmx64m",
            "-Dkeel.test=1",
            "-cp",
            home + "/keel-cli.jar:" + home + "/lib/*",
            "io.keel.broker.BrokerMain",
            "--config",
            dir.resolve("keel.properties").toString()),
        args);
    String config = Files.readString(dir.resolve("keel.properties"));
    assertTrue(config.contains("node.id=2\n"), config);
    assertTrue(config.contains("advertised.address=keel-2:9091\n"), config);
  }

  @Test
  void refusesToGuessANodeIdWithoutAnOrdinal() throws Exception {
    Run run = run(Map.of("HOSTNAME", "broker"));
    assertEquals(64, run.exitCode(), run.output());
    assertTrue(run.output().contains("KEEL_NODE_ID is unset"), run.output());
    assertTrue(Files.notExists(dir.resolve("args")), "must not start a broker");
  }

  @Test
  void refusesNodeIdZero() throws Exception {
    Run run = run(Map.of("KEEL_NODE_ID", "0"));
    assertEquals(64, run.exitCode(), run.output());
    assertTrue(run.output().contains("positive integer"), run.output());
  }

  @Test
  void namesAMissingDistribution() throws Exception {
    Files.delete(home.resolve("keel-cli.jar"));
    Run run = run(Map.of("KEEL_NODE_ID", "1"));
    assertEquals(64, run.exitCode(), run.output());
    assertTrue(run.output().contains("no keel-cli.jar"), run.output());
  }

  private record Run(int exitCode, String output) {}

  private Run run(Map<String, String> extraEnv) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("sh", DeployTree.deploy("docker/entrypoint.sh").toString())
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KEEL_") || name.equals("HOSTNAME"));
    env.put("KEEL_HOME", home.toString());
    env.put("KEEL_JAVA", dir.resolve("java").toString());
    env.put("KEEL_CONFIG_FILE", dir.resolve("keel.properties").toString());
    env.putAll(extraEnv);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "entrypoint.sh did not finish");
    return new Run(process.exitValue(), output);
  }
}
