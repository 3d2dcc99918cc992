package io.keel.broker.config;

import java.util.function.Function;

/**
 * One configuration key: its name, default ({@code null} when required, {@code ""} when optional
 * without a default), documentation and parser. A parser throws IllegalArgumentException with a
 * message that says what is allowed and what was given.
 */
public record ConfigKey<T>(
    String name, String defaultValue, String doc, Function<String, T> parser) {

  /** The environment variable that overrides this key: KEEL_ + upper case, dots to '_'. */
  public String envName() {
    return "KEEL_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public boolean required() {
    return defaultValue == null;
  }

  T parse(String raw) {
    try {
      return parser.apply(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, e.getMessage());
    }
  }
}
