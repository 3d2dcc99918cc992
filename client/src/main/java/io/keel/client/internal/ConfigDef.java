package io.keel.client.internal;

import io.keel.client.InvalidConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keys a client accepts, with types, defaults and validation. Parsing rejects unknown keys and
 * bad values with an {@link InvalidConfigException} naming the key, so a typo fails at construction
 * rather than being silently ignored.
 */
public final class ConfigDef {
  /** Marks a key that must be supplied. */
  public static final Object REQUIRED = new Object();

  public enum Type {
    STRING,
    INT,
    LONG,
    BOOLEAN,
    LIST
  }

  /** Accepted values of one key, beyond its type; throws naming the key when violated. */
  @FunctionalInterface
  public interface Validator {
    void check(String key, Object value);
  }

  /** One configuration key; a null default means "unset" (optional, no value). */
  public record Key(String name, Type type, Object defaultValue, Validator validator, String doc) {}

  private final Map<String, Key> keys = new LinkedHashMap<>();

  public ConfigDef define(String name, Type type, Object defaultValue, Validator v, String doc) {
    Checks.arg(!keys.containsKey(name), "key %s defined twice", name);
    keys.put(name, new Key(name, type, defaultValue, v, doc));
    return this;
  }

  public ConfigDef define(String name, Type type, Object defaultValue, String doc) {
    return define(name, type, defaultValue, (k, v) -> {}, doc);
  }

  public Collection<Key> keys() {
    return keys.values();
  }

  /**
   * Parses raw values into typed ones (defaults filled in); keys absent with no default map to
   * null.
   */
  public Map<String, Object> parse(Map<String, ?> raw) {
    for (String name : raw.keySet()) {
      if (!keys.containsKey(name)) {
        throw new InvalidConfigException(
            "unknown configuration key '" + name + "'; known keys: " + keys.keySet());
      }
    }
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (Key key : keys.values()) {
      Object value = raw.containsKey(key.name()) ? raw.get(key.name()) : key.defaultValue();
      if (value == REQUIRED || (value == null && key.defaultValue() == REQUIRED)) {
        throw new InvalidConfigException("missing required configuration key '" + key.name() + "'");
      }
      Object typed = value == null ? null : convert(key, value);
      if (typed != null) {
        key.validator().check(key.name(), typed);
      }
      parsed.put(key.name(), typed);
    }
    return parsed;
  }

  private static Object convert(Key key, Object value) {
    try {
      return switch (key.type()) {
        case STRING -> value.toString().trim();
        case INT ->
            value instanceof Number n ? toInt(n) : Integer.parseInt(value.toString().trim());
        case LONG ->
            value instanceof Number n ? toLong(n) : Long.parseLong(value.toString().trim());
        case BOOLEAN -> toBoolean(key, value);
        case LIST -> toList(value);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw invalid(key.name(), value, "expected " + key.type().name().toLowerCase(Locale.ROOT));
    }
  }

  private static int toInt(Number n) {
    return Math.toIntExact(toLong(n));
  }

  private static long toLong(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (d != Math.rint(d)) {
        throw new ArithmeticException("not a whole number");
      }
    }
    return n.longValue();
  }

  private static Boolean toBoolean(Key key, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    String s = value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(key.name(), value, "expected true or false");
    };
  }

  private static List<String> toList(Object value) {
    List<String> out = new ArrayList<>();
    Collection<?> items =
        value instanceof Collection<?> c ? c : Arrays.asList(value.toString().split(","));
    for (Object item : items) {
      for (String part : item.toString().split(",")) {
        String s = part.trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return List.copyOf(out);
  }

  public static InvalidConfigException invalid(String key, Object value, String why) {
    return new InvalidConfigException(
        "invalid value '" + value + "' for configuration key '" + key + "': " + why);
  }

  public static Validator atLeast(long min) {
    return (key, value) -> {
      if (((Number) value).longValue() < min) {
        throw invalid(key, value, "must be >= " + min);
      }
    };
  }

  public static Validator between(long min, long max) {
    return (key, value) -> {
      long v = ((Number) value).longValue();
      if (v < min || v > max) {
        throw invalid(key, value, "must be between " + min + " and " + max);
      }
    };
  }

  public static Validator oneOf(String... allowed) {
    Set<String> set = Set.of(allowed);
    return (key, value) -> {
      if (!set.contains(value.toString().toLowerCase(Locale.ROOT))) {
        throw invalid(key, value, "must be one of " + Arrays.toString(allowed));
      }
    };
  }

  /** A non-empty list of host:port addresses. */
  public static Validator hostPorts() {
    return (key, value) -> {
      List<?> list = (List<?>) value;
      if (list.isEmpty()) {
        throw invalid(key, value, "must list at least one host:port");
      }
      for (Object item : list) {
        try {
          HostPort.parse(item.toString());
        } catch (IllegalArgumentException e) {
          throw invalid(key, value, e.getMessage());
        }
      }
    };
  }
}
