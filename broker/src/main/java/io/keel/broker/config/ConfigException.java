package io.keel.broker.config;

/** A configuration value is missing, unknown or invalid; the message names the key. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The offending key. */
  public String key() {
    return key;
  }
}
