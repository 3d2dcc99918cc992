package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** deploy/compose, Prometheus and Grafana provisioning agree on names, ports and files. */
class ComposeTest {
  private static final Path COMPOSE_DIR = DeployTree.deploy("compose");
  private final JsonNode compose = DeployTree.yaml(COMPOSE_DIR.resolve("docker-compose.yml"));

  @Test
  void threeNodesWithDistinctIdsAndOneQuorum() {
    Set<String> voters = new TreeSet<>();
    Set<String> expectedVoters = new TreeSet<>();
    for (int id = 1; id <= 3; id++) {
      JsonNode env = DeployTree.at(node(id), "/environment");
      assertEquals(String.valueOf(id), DeployTree.at(env, "/KEEL_NODE_ID").asText());
      assertEquals("keel-" + id + ":9091", DeployTree.at(env, "/KEEL_ADVERTISED_ADDRESS").asText());
      voters.add(DeployTree.at(env, "/KEEL_CONTROLLER_QUORUM_VOTERS").asText());
      expectedVoters.add(id + "@keel-" + id + ":9091");
    }
    assertEquals(1, voters.size(), "nodes disagree on the quorum: " + voters);
    assertEquals(expectedVoters, new TreeSet<>(Set.of(voters.iterator().next().split(","))));
  }

  @Test
  void environmentNamesAreBrokerConfigKeys() {
    for (int id = 1; id <= 3; id++) {
      Set<String> unknown = new TreeSet<>();
      DeployTree.at(node(id), "/environment").fieldNames().forEachRemaining(unknown::add);
      unknown.removeAll(BrokerConfigKeys.environmentNames());
      unknown.removeAll(BrokerConfigKeys.ENTRYPOINT_VARIABLES);
      assertEquals(Set.of(), unknown, "keel-" + id + ": not broker config keys");
    }
  }

  @Test
  void imageIsBuiltFromTheDockerfile() {
    JsonNode build = DeployTree.at(node(1), "/build");
    Path context = COMPOSE_DIR.resolve(DeployTree.at(build, "/context").asText()).normalize();
    assertEquals(DeployTree.root(), context);
    assertTrue(Files.isRegularFile(context.resolve(DeployTree.at(build, "/dockerfile").asText())));
  }

  @Test
  void prometheusScrapesEveryNodeOnItsHttpPort() {
    JsonNode prometheus = DeployTree.yaml(DeployTree.deploy("prometheus/prometheus.yml"));
    JsonNode job = DeployTree.at(prometheus, "/scrape_configs/0");
    assertEquals("keel", DeployTree.at(job, "/job_name").asText());
    assertEquals("/metrics", DeployTree.at(job, "/metrics_path").asText());
    Set<String> targets = new TreeSet<>();
    DeployTree.at(job, "/static_configs/0/targets").forEach(t -> targets.add(t.asText()));
    int httpPort = KubernetesManifestsTest.exposedPorts().stream().max(Integer::compare).get();
    assertEquals(Set.of("keel-1:" + httpPort, "keel-2:" + httpPort, "keel-3:" + httpPort), targets);
    assertTrue(
        DeployTree.at(node(1), "/ports").toString().contains(":" + httpPort + "\""),
        "node 1 does not publish the HTTP port");
    assertEquals("/etc/prometheus/alerts.yml", DeployTree.at(prometheus, "/rule_files/0").asText());
  }

  @Test
  void everyMountedFileExists() {
    for (String service : Set.of("prometheus", "grafana")) {
      for (JsonNode volume : DeployTree.at(compose, "/services/" + service + "/volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith(".")) {
          assertTrue(Files.exists(COMPOSE_DIR.resolve(source)), service + " mounts " + source);
        }
      }
    }
  }

  @Test
  void grafanaProvisionsTheDatasourceTheDashboardUses() {
    JsonNode datasources =
        DeployTree.yaml(DeployTree.deploy("grafana/provisioning/datasources/prometheus.yml"));
    String uid = DeployTree.at(datasources, "/datasources/0/uid").asText();
    JsonNode dashboard = DeployTree.json(DeployTree.deploy("grafana/keel-dashboard.json"));
    assertEquals(uid, DeployTree.at(dashboard, "/templating/list/0/current/value").asText());
    assertEquals(
        "http://prometheus:9090", DeployTree.at(datasources, "/datasources/0/url").asText());
    JsonNode providers =
        DeployTree.yaml(DeployTree.deploy("grafana/provisioning/dashboards/keel.yml"));
    String path = DeployTree.at(providers, "/providers/0/options/path").asText();
    assertTrue(
        DeployTree.at(compose, "/services/grafana/volumes")
            .toString()
            .contains(path + "/keel-dashboard.json"));
  }

  private JsonNode node(int id) {
    return DeployTree.at(compose, "/services/keel-" + id);
  }
}
