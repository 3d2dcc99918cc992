package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart (deploy/kubernetes/keel) and the plain manifests say the same thing. There is no
 * helm binary to render the chart, so: its values equal what the manifests hard-code, every value
 * the templates read exists, and every template line without a template action appears verbatim in
 * the matching manifest.
 */
class HelmChartTest {
  private static final Path CHART = DeployTree.deploy("kubernetes/keel");
  private static final Path MANIFESTS = DeployTree.deploy("kubernetes/manifests");
  private static final Pattern VALUE_REFERENCE = Pattern.compile("\\.Values((?:\\.\\w+)+)");

  private final JsonNode values = DeployTree.yaml(CHART.resolve("values.yaml"));

  @Test
  void chartMetadataNamesTheChart() {
    JsonNode chart = DeployTree.yaml(CHART.resolve("Chart.yaml"));
    assertEquals("v2", DeployTree.at(chart, "/apiVersion").asText());
    assertEquals("keel", DeployTree.at(chart, "/name").asText());
  }

  @Test
  void valuesEqualWhatTheManifestsHardCode() {
    JsonNode statefulSet = KubernetesManifestsTest.one("StatefulSet");
    JsonNode container = KubernetesManifestsTest.container();
    Map<String, String> env = KubernetesManifestsTest.env(container);
    assertEquals(at("/replicas").asInt(), DeployTree.at(statefulSet, "/spec/replicas").asInt());
    assertEquals(
        at("/image/repository").asText() + ":" + at("/image/tag").asText(),
        DeployTree.at(container, "/image").asText());
    assertEquals(
        Map.of("grpc", at("/ports/grpc").asInt(), "http", at("/ports/http").asInt()),
        KubernetesManifestsTest.containerPorts());
    assertEquals(at("/resources"), DeployTree.at(container, "/resources"));
    assertEquals(
        at("/storage/size").asText(),
        DeployTree.at(statefulSet, "/spec/volumeClaimTemplates/0/spec/resources/requests/storage")
            .asText());
    assertEquals(
        at("/terminationGracePeriodSeconds").asInt(),
        DeployTree.at(statefulSet, "/spec/template/spec/terminationGracePeriodSeconds").asInt());
    assertEquals(
        at("/podDisruptionBudget/maxUnavailable").asInt(),
        DeployTree.at(KubernetesManifestsTest.one("PodDisruptionBudget"), "/spec/maxUnavailable")
            .asInt());
    assertEquals(at("/javaOpts").asText(), env.get("KEEL_JAVA_OPTS"));
    at("/config")
        .properties()
        .forEach(
            e ->
                assertEquals(
                    e.getValue().asText(),
                    env.get(BrokerConfigKeys.environmentName(e.getKey())),
                    "config " + e.getKey()));
  }

  @Test
  void configValuesAreBrokerConfigKeys() {
    Set<String> unknown = new TreeSet<>();
    at("/config").fieldNames().forEachRemaining(unknown::add);
    unknown.removeAll(BrokerConfigKeys.keys());
    assertEquals(Set.of(), unknown, "not broker config keys: " + BrokerConfigKeys.keys());
  }

  @Test
  void templatesReadOnlyValuesThatExist() throws Exception {
    List<String> missing = new ArrayList<>();
    for (Path template : templates()) {
      Matcher matcher = VALUE_REFERENCE.matcher(Files.readString(template));
      while (matcher.find()) {
        String pointer = matcher.group(1).replace('.', '/');
        if (values.at(pointer).isMissingNode()) {
          missing.add(template.getFileName() + ": .Values" + matcher.group(1));
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void everyLiteralTemplateLineAppearsInTheMatchingManifest() throws Exception {
    List<Path> templates =
        templates().stream().filter(t -> t.getFileName().toString().endsWith(".yaml")).toList();
    assertEquals(4, templates.size(), templates.toString());
    for (Path template : templates) {
      Path manifest = MANIFESTS.resolve(template.getFileName());
      assertTrue(Files.exists(manifest), "no manifest for " + template);
      Map<String, Integer> available = lineCounts(Files.readAllLines(manifest));
      for (String line : Files.readAllLines(template)) {
        if (line.isBlank() || line.contains("{{") || line.trim().startsWith("#")) {
          continue;
        }
        int left = available.merge(line, -1, Integer::sum);
        assertTrue(left >= 0, manifest.getFileName() + " lacks the chart's line: " + line);
      }
    }
  }

  private JsonNode at(String pointer) {
    return DeployTree.at(values, pointer);
  }

  private static Map<String, Integer> lineCounts(List<String> lines) {
    Map<String, Integer> counts = new HashMap<>();
    lines.forEach(l -> counts.merge(l, 1, Integer::sum));
    return counts;
  }

  private static List<Path> templates() throws Exception {
    try (var files = Files.list(CHART.resolve("templates"))) {
      return files.sorted().toList();
    }
  }
}
