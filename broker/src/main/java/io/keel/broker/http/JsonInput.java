package io.keel.broker.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object of a request body, read field by field. Every failure is a 400 naming the field's
 * path ({@code records[2].partition}), what was expected and what came.
 */
final class JsonInput {
  /** Deep nesting is refused by the parser before it costs stack. */
  static final int MAX_NESTING_DEPTH = 64;

  static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(100)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final JsonNode node;
  private final String path;

  private JsonInput(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** Parses a request body that must be one JSON object. */
  static JsonInput parse(byte[] body) {
    if (body.length == 0) {
      throw HttpApiException.badField("body", "expected a JSON object, got an empty body");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw HttpApiException.badField("body", "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw HttpApiException.badField("body", "unreadable: " + e.getMessage());
    }
    return object(root, "body");
  }

  private static JsonInput object(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw HttpApiException.badField(path, "expected a JSON object, got " + kind(node));
    }
    return new JsonInput(node, path);
  }

  /** Refuses fields outside {@code known}: a typo must not be silently ignored. */
  JsonInput allowOnly(Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw HttpApiException.badField(at(name), "unknown field; expected one of " + known);
      }
    }
    return this;
  }

  boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  /** The raw value, or null when absent or JSON null. */
  JsonNode raw(String name) {
    return has(name) ? node.get(name) : null;
  }

  String at(String name) {
    return path.equals("body") ? name : path + "." + name;
  }

  String path() {
    return path;
  }

  Optional<String> string(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw HttpApiException.badField(at(name), "expected a string, got " + kind(v));
    }
    return Optional.of(v.textValue());
  }

  String string(String name, String fallback) {
    return string(name).orElse(fallback);
  }

  String requiredString(String name) {
    return string(name)
        .orElseThrow(() -> HttpApiException.badField(at(name), "required string is missing"));
  }

  Optional<Long> integer(String name, long min, long max) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw HttpApiException.badField(at(name), "expected an integer, got " + kind(v));
    }
    long value = v.longValue();
    if (value < min || value > max) {
      throw HttpApiException.badField(
          at(name), "must be in [" + min + ", " + max + "], was " + value);
    }
    return Optional.of(value);
  }

  int integer(String name, int fallback, int min, int max) {
    return integer(name, (long) min, max).map(Long::intValue).orElse(fallback);
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = raw(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw HttpApiException.badField(at(name), "expected true or false, got " + kind(v));
    }
    return v.booleanValue();
  }

  /** An array of objects; empty when absent. */
  List<JsonInput> objects(String name) {
    List<JsonInput> out = new ArrayList<>();
    JsonNode v = array(name);
    for (int i = 0; v != null && i < v.size(); i++) {
      out.add(object(v.get(i), at(name) + "[" + i + "]"));
    }
    return out;
  }

  /** An array of strings; empty when absent. */
  List<String> strings(String name) {
    List<String> out = new ArrayList<>();
    JsonNode v = array(name);
    for (int i = 0; v != null && i < v.size(); i++) {
      JsonNode s = v.get(i);
      if (!s.isTextual()) {
        throw HttpApiException.badField(
            at(name) + "[" + i + "]", "expected a string, got " + kind(s));
      }
      out.add(s.textValue());
    }
    return out;
  }

  /** An object whose values are all strings; empty when absent. */
  Map<String, String> stringMap(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw HttpApiException.badField(at(name), "expected an object, got " + kind(v));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isTextual()) {
        throw HttpApiException.badField(
            at(name) + "." + e.getKey(), "expected a string, got " + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  private JsonNode array(String name) {
    JsonNode v = raw(name);
    if (v != null && !v.isArray()) {
      throw HttpApiException.badField(at(name), "expected an array, got " + kind(v));
    }
    return v;
  }

  static String kind(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    return switch (v.getNodeType()) {
      case ARRAY -> "an array";
      case BINARY, STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case NUMBER -> "a number";
      case OBJECT, POJO -> "an object";
    };
  }
}
