package io.keel.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/manifests: valid Kubernetes objects (strict JSON schemas), and consistent with
 * each other, the image and the broker: selectors, ports, probes, env names, quorum.
 */
class KubernetesManifestsTest {
  private static final Path DIR = DeployTree.deploy("kubernetes/manifests");
  private static final int CONTROLLER_VOTERS_MAX = 3;

  @Test
  void kustomizationListsExactlyTheManifests() throws Exception {
    JsonNode kustomization = DeployTree.yaml(DIR.resolve("kustomization.yaml"));
    Set<String> listed = new TreeSet<>();
    DeployTree.at(kustomization, "/resources").forEach(r -> listed.add(r.asText()));
    Set<String> present;
    try (Stream<Path> files = Files.list(DIR)) {
      present =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(present, listed);
  }

  @Test
  void everyObjectMatchesItsKubernetesSchema() {
    KubernetesSchemas schemas = new KubernetesSchemas();
    List<JsonNode> objects = objects();
    assertEquals(5, objects.size(), "namespace, two services, statefulset, pdb");
    for (JsonNode object : objects) {
      assertTrue(object.at("/metadata/name").isTextual(), "unnamed object " + object);
      assertEquals(List.of(), schemas.validate(object), name(object));
    }
  }

  @Test
  void schemaValidationCatchesMistakes() {
    KubernetesSchemas schemas = new KubernetesSchemas();
    JsonNode statefulSet = one("StatefulSet").deepCopy();
    JsonNode container = statefulSet.at("/spec/template/spec/containers/0");
    ((com.fasterxml.jackson.databind.node.ObjectNode) container)
        .set("readinesProbe", container.get("readinessProbe"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) statefulSet.at("/spec"))
        .put("replicas", "three");
    List<String> errors = schemas.validate(statefulSet);
    assertTrue(errors.stream().anyMatch(e -> e.contains("readinesProbe")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("replicas")), errors.toString());
  }

  @Test
  void servicesAndBudgetSelectTheBrokerPods() {
    JsonNode statefulSet = one("StatefulSet");
    JsonNode podLabels = DeployTree.at(statefulSet, "/spec/template/metadata/labels");
    assertSubset(DeployTree.at(statefulSet, "/spec/selector/matchLabels"), podLabels);
    for (JsonNode service : all("Service")) {
      assertSubset(DeployTree.at(service, "/spec/selector"), podLabels);
    }
    JsonNode budget = one("PodDisruptionBudget");
    assertEquals(
        DeployTree.at(statefulSet, "/spec/selector"), DeployTree.at(budget, "/spec/selector"));
    assertEquals(1, DeployTree.at(budget, "/spec/maxUnavailable").asInt());
    JsonNode antiAffinity =
        DeployTree.at(
            statefulSet,
            "/spec/template/spec/affinity/podAntiAffinity/"
                + "requiredDuringSchedulingIgnoredDuringExecution/0");
    assertEquals("kubernetes.io/hostname", DeployTree.at(antiAffinity, "/topologyKey").asText());
    assertSubset(DeployTree.at(antiAffinity, "/labelSelector/matchLabels"), podLabels);
  }

  @Test
  void headlessServiceGivesPodsStableNamesBeforeTheyAreReady() {
    JsonNode statefulSet = one("StatefulSet");
    String serviceName = DeployTree.at(statefulSet, "/spec/serviceName").asText();
    JsonNode headless =
        all("Service").stream()
            .filter(s -> s.at("/metadata/name").asText().equals(serviceName))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Service " + serviceName));
    assertEquals("None", DeployTree.at(headless, "/spec/clusterIP").asText());
    assertTrue(DeployTree.at(headless, "/spec/publishNotReadyAddresses").asBoolean());
    assertEquals("Parallel", DeployTree.at(statefulSet, "/spec/podManagementPolicy").asText());
  }

  @Test
  void servicePortsTargetNamedContainerPorts() {
    Map<String, Integer> containerPorts = containerPorts();
    for (JsonNode service : all("Service")) {
      for (JsonNode port : DeployTree.at(service, "/spec/ports")) {
        String target = DeployTree.at(port, "/targetPort").asText();
        assertTrue(containerPorts.containsKey(target), name(service) + " targets " + target);
        assertEquals(containerPorts.get(target), DeployTree.at(port, "/port").asInt());
      }
    }
    assertEquals(exposedPorts(), new TreeSet<>(containerPorts.values()));
  }

  @Test
  void probesHitTheHealthEndpointsOnTheHttpPort() {
    JsonNode container = container();
    Map<String, String> paths =
        Map.of(
            "startupProbe", "/health/live",
            "livenessProbe", "/health/live",
            "readinessProbe", "/health/ready");
    paths.forEach(
        (probe, path) -> {
          assertEquals(path, DeployTree.at(container, "/" + probe + "/httpGet/path").asText());
          assertEquals("http", DeployTree.at(container, "/" + probe + "/httpGet/port").asText());
        });
    Map<String, String> env = env(container);
    assertEquals(containerPorts().get("http"), port(env.get("KEEL_HTTP_ADDRESS")));
    assertEquals(containerPorts().get("grpc"), port(env.get("KEEL_LISTEN_ADDRESS")));
    assertEquals(containerPorts().get("grpc"), port(env.get("KEEL_ADVERTISED_ADDRESS")));
  }

  @Test
  void environmentNamesAreBrokerConfigKeys() {
    Set<String> unknown = new TreeSet<>(env(container()).keySet());
    unknown.removeIf(n -> !n.startsWith("KEEL_"));
    unknown.removeAll(BrokerConfigKeys.environmentNames());
    unknown.removeAll(BrokerConfigKeys.ENTRYPOINT_VARIABLES);
    assertEquals(Set.of(), unknown, "not broker config keys: " + BrokerConfigKeys.keys());
  }

  @Test
  void controllerQuorumIsTheFirstPodsOnTheHeadlessService() {
    JsonNode statefulSet = one("StatefulSet");
    int replicas = DeployTree.at(statefulSet, "/spec/replicas").asInt();
    String name = DeployTree.at(statefulSet, "/metadata/name").asText();
    String headless = DeployTree.at(statefulSet, "/spec/serviceName").asText();
    int grpc = containerPorts().get("grpc");
    String expected =
        IntStream.range(0, Math.min(replicas, CONTROLLER_VOTERS_MAX))
            .mapToObj(i -> (i + 1) + "@" + name + "-" + i + "." + headless + ":" + grpc)
            .collect(Collectors.joining(","));
    assertEquals(expected, env(container()).get("KEEL_CONTROLLER_QUORUM_VOTERS"));
    assertEquals(
        "$(POD_NAME)." + headless + ":" + grpc, env(container()).get("KEEL_ADVERTISED_ADDRESS"));
  }

  @Test
  void podsShutDownGracefullyAndKeepDataOnTheirVolume() {
    JsonNode statefulSet = one("StatefulSet");
    JsonNode pod = DeployTree.at(statefulSet, "/spec/template/spec");
    assertTrue(DeployTree.at(pod, "/terminationGracePeriodSeconds").asInt() >= 60);
    JsonNode claim = DeployTree.at(statefulSet, "/spec/volumeClaimTemplates/0");
    String claimName = DeployTree.at(claim, "/metadata/name").asText();
    Map<String, String> mounts = new HashMap<>();
    container()
        .get("volumeMounts")
        .forEach(m -> mounts.put(m.get("name").asText(), m.get("mountPath").asText()));
    Set<String> volumes = new TreeSet<>(Set.of(claimName));
    pod.path("volumes").forEach(v -> volumes.add(v.get("name").asText()));
    assertEquals(volumes, mounts.keySet());
    String dataDir = env(container()).get("KEEL_DATA_DIR");
    assertTrue(dataDir.startsWith(mounts.get(claimName) + "/"), dataDir + " not on the claim");
    assertTrue(
        DeployTree.read(DeployTree.deploy("docker/Dockerfile"))
            .contains("VOLUME [\"" + mounts.get(claimName) + "\"]"));
    assertTrue(DeployTree.at(container(), "/resources/requests/cpu").isTextual());
    assertTrue(DeployTree.at(container(), "/resources/requests/memory").isTextual());
    int uid = DeployTree.at(pod, "/securityContext/runAsUser").asInt();
    assertTrue(DeployTree.read(DeployTree.deploy("docker/Dockerfile")).contains("--uid " + uid));
  }

  static List<JsonNode> objects() {
    JsonNode kustomization = DeployTree.yaml(DIR.resolve("kustomization.yaml"));
    return java.util.stream.StreamSupport.stream(
            DeployTree.at(kustomization, "/resources").spliterator(), false)
        .flatMap(r -> DeployTree.yamlDocuments(DIR.resolve(r.asText())).stream())
        .toList();
  }

  static List<JsonNode> all(String kind) {
    return objects().stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  static JsonNode one(String kind) {
    List<JsonNode> found = all(kind);
    assertEquals(1, found.size(), "objects of kind " + kind);
    return found.getFirst();
  }

  static JsonNode container() {
    return DeployTree.at(one("StatefulSet"), "/spec/template/spec/containers/0");
  }

  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    DeployTree.at(container, "/env")
        .forEach(e -> env.put(e.get("name").asText(), e.path("value").asText(null)));
    return env;
  }

  static Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    DeployTree.at(container(), "/ports")
        .forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
    return ports;
  }

  /** The ports the image's Dockerfile EXPOSEs. */
  static Set<Integer> exposedPorts() {
    return DeployTree.read(DeployTree.deploy("docker/Dockerfile"))
        .lines()
        .filter(l -> l.startsWith("EXPOSE "))
        .flatMap(l -> Stream.of(l.substring("EXPOSE ".length()).trim().split("\\s+")))
        .map(Integer::valueOf)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String name(JsonNode object) {
    return object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
  }

  private static void assertSubset(JsonNode labels, JsonNode of) {
    labels
        .properties()
        .forEach(
            e ->
                assertEquals(
                    e.getValue(), of.get(e.getKey()), "label " + e.getKey() + " in " + of));
  }
}
