package io.keel.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes object schemas from fabric8's kubernetes-model jars (Maven Central), made strict.
 *
 * <p>fabric8 generates them from the Kubernetes API types for its Java model, so they are lenient
 * in ways that would hide our mistakes: every object allows unknown fields. Here unknown fields are
 * errors (a misspelt {@code readinesProbe} fails), fabric8's Java-generation keywords and draft-03
 * {@code "required": true} flags (on apiVersion and kind, which Kubernetes does not require of
 * embedded objects) are dropped, and the two types Kubernetes serialises specially get their wire
 * shape: IntOrString (a port name or number) and Quantity ({@code 2Gi}, {@code 500m}).
 */
final class KubernetesSchemas {
  private static final String RESOURCE = "schema/validation-schema.json";
  private static final Set<String> FABRIC8_KEYWORDS =
      Set.of("javaType", "existingJavaType", "javaInterfaces", "javaOmitEmpty", "id", "$module");
  private static final String QUANTITY_PATTERN = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

  private final ObjectNode definitions = DeployTree.JSON.createObjectNode();

  /** "apiVersion kind" -> definition name, e.g. "apps/v1 StatefulSet". */
  private final Map<String, String> definitionByType = new HashMap<>();

  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

  KubernetesSchemas() {
    for (URL url : resources()) {
      try (InputStream in = url.openStream()) {
        DeployTree.JSON
            .readTree(in)
            .get("definitions")
            .properties()
            .forEach(e -> definitions.set(e.getKey(), e.getValue()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    definitions.properties().forEach(e -> indexType(e.getKey(), e.getValue()));
    definitions.set(
        "kubernetes_apimachinery_pkg_util_intstr_IntOrString",
        DeployTree.JSON.createObjectNode().set("type", types("integer", "string")));
    ObjectNode quantity = DeployTree.JSON.createObjectNode();
    quantity.set("type", types("string", "integer", "number"));
    quantity.put("pattern", QUANTITY_PATTERN);
    definitions.set("k8s_io_apimachinery_pkg_api_resource_Quantity", quantity);
    definitions.forEach(KubernetesSchemas::tighten);
  }

  private static List<URL> resources() {
    try {
      List<URL> urls =
          Collections.list(KubernetesSchemas.class.getClassLoader().getResources(RESOURCE));
      if (urls.isEmpty()) {
        throw new IllegalStateException("no " + RESOURCE + " on the test classpath");
      }
      return urls;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void indexType(String name, JsonNode definition) {
    JsonNode apiVersion = definition.at("/properties/apiVersion/default");
    JsonNode kind = definition.at("/properties/kind/default");
    if (apiVersion.isTextual() && kind.isTextual()) {
      definitionByType.put(apiVersion.asText() + " " + kind.asText(), name);
    }
  }

  private static ArrayNode types(String... names) {
    ArrayNode array = DeployTree.JSON.createArrayNode();
    for (String name : names) {
      array.add(name);
    }
    return array;
  }

  /** Recursively: no fabric8 keywords, no unknown fields, draft-07 required lists. */
  private static void tighten(JsonNode node) {
    if (node instanceof ArrayNode array) {
      array.forEach(KubernetesSchemas::tighten);
      return;
    }
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    object.remove(FABRIC8_KEYWORDS);
    JsonNode properties = object.get("properties");
    if (properties instanceof ObjectNode props) {
      object.put("additionalProperties", false);
      props.forEach(
          property -> {
            if (property instanceof ObjectNode p && p.path("required").isBoolean()) {
              p.remove("required");
            }
            tighten(property);
          });
    }
    object.properties().stream()
        .filter(e -> !e.getKey().equals("properties"))
        .forEach(e -> tighten(e.getValue()));
  }

  /** Schema errors of one Kubernetes object, sorted; empty when valid. */
  List<String> validate(JsonNode object) {
    String type = object.path("apiVersion").asText() + " " + object.path("kind").asText();
    String definition = definitionByType.get(type);
    if (definition == null) {
      return List.of("no schema for '" + type + "'");
    }
    ObjectNode schema = DeployTree.JSON.createObjectNode();
    schema.put("$schema", "http://json-schema.org/draft-07/schema#");
    schema.set("definitions", definitions);
    schema.putArray("allOf").addObject().put("$ref", "#/definitions/" + definition);
    JsonSchema validator = factory.getSchema(schema);
    List<String> errors = new ArrayList<>();
    for (ValidationMessage message : validator.validate(object)) {
      errors.add(message.getMessage());
    }
    Collections.sort(errors);
    return errors;
  }
}
