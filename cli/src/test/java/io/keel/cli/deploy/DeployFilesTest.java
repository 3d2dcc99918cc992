package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every YAML and JSON file under deploy/ parses, and the alert rules and dashboard are complete.
 */
class DeployFilesTest {

  @Test
  void everyYamlFileParses() {
    List<Path> files = DeployTree.files(".yml", ".yaml");
    assertTrue(files.size() >= 10, "expected the deploy/ YAML files, found " + files);
    for (Path file : files) {
      assertFalse(DeployTree.yamlDocuments(file).isEmpty(), file + " has no document");
    }
  }

  @Test
  void everyJsonFileParses() {
    List<Path> files = DeployTree.files(".json");
    assertFalse(files.isEmpty(), "expected the Grafana dashboard");
    files.forEach(DeployTree::json);
  }

  @Test
  void alertRulesAreCompleteAndDocumented() {
    String operations = DeployTree.read(DeployTree.root().resolve("docs/operations.md"));
    Set<String> alerts = new HashSet<>();
    for (JsonNode rule : alertRules()) {
      String name = DeployTree.at(rule, "/alert").asText();
      assertTrue(alerts.add(name), "duplicate alert " + name);
      assertTrue(name.matches("Keel[A-Za-z]+"), name);
      assertFalse(PromQl.metricNames(DeployTree.at(rule, "/expr").asText()).isEmpty(), name);
      assertTrue(DeployTree.at(rule, "/for").asText().matches("\\d+[smh]"), name);
      assertTrue(
          Set.of("warning", "critical").contains(DeployTree.at(rule, "/labels/severity").asText()),
          name);
      assertFalse(DeployTree.at(rule, "/annotations/summary").asText().isBlank(), name);
      assertTrue(operations.contains(name), "docs/operations.md does not explain " + name);
    }
    assertTrue(
        alerts.containsAll(
            Set.of(
                "KeelNodeDown",
                "KeelUnderReplicatedPartitions",
                "KeelNoController",
                "KeelConsumerLagGrowing",
                "KeelDiskAlmostFull")),
        alerts.toString());
  }

  @Test
  void dashboardPanelsHaveQueriesAndDistinctIds() {
    JsonNode dashboard = DeployTree.json(DeployTree.deploy("grafana/keel-dashboard.json"));
    assertEquals("keel-overview", DeployTree.at(dashboard, "/uid").asText());
    Set<Integer> ids = new HashSet<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : DeployTree.at(dashboard, "/panels")) {
      assertTrue(ids.add(DeployTree.at(panel, "/id").asInt()), "duplicate panel id in " + panel);
      titles.add(DeployTree.at(panel, "/title").asText());
      if (!panel.path("type").asText().equals("row")) {
        JsonNode targets = DeployTree.at(panel, "/targets");
        assertFalse(targets.isEmpty(), "panel without queries: " + titles.getLast());
        for (JsonNode target : targets) {
          String expr = DeployTree.at(target, "/expr").asText();
          assertFalse(PromQl.metricNames(expr).isEmpty(), expr);
        }
      }
    }
    for (String topic :
        List.of("latency", "Under-replicated", "leaders", "elections", "lag", "Fsync", "Heap")) {
      assertTrue(
          titles.stream().anyMatch(t -> t.toLowerCase().contains(topic.toLowerCase())),
          "no panel about " + topic + " in " + titles);
    }
  }

  @Test
  void scriptsArePosixAndExecutable() {
    for (String script : List.of("docker/entrypoint.sh", "docker/healthcheck.sh")) {
      Path file = DeployTree.deploy(script);
      assertTrue(Files.isExecutable(file), file + " is not executable");
    }
    assertTrue(
        DeployTree.read(DeployTree.deploy("docker/entrypoint.sh")).startsWith("#!/bin/sh\n"),
        "entrypoint.sh must run under a POSIX sh");
  }

  static List<JsonNode> alertRules() {
    JsonNode alerts = DeployTree.yaml(DeployTree.deploy("prometheus/alerts.yml"));
    List<JsonNode> rules = new ArrayList<>();
    DeployTree.at(alerts, "/groups").forEach(g -> DeployTree.at(g, "/rules").forEach(rules::add));
    return rules;
  }

  /** Every PromQL expression in the dashboard's panels and in the alert rules. */
  static List<String> expressions() {
    List<String> expressions = new ArrayList<>();
    alertRules().forEach(rule -> expressions.add(rule.get("expr").asText()));
    JsonNode dashboard = DeployTree.json(DeployTree.deploy("grafana/keel-dashboard.json"));
    for (JsonNode panel : dashboard.get("panels")) {
      panel.path("targets").forEach(t -> expressions.add(t.get("expr").asText()));
    }
    return expressions;
  }
}
