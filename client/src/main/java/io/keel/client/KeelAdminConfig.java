package io.keel.client;

import static io.keel.client.internal.ConfigDef.atLeast;

import io.keel.client.internal.CommonConfigKeys;
import io.keel.client.internal.ConfigDef;
import io.keel.client.internal.ConfigDef.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Admin client configuration; see {@link KeelProducerConfig} for how keys are validated. */
public record KeelAdminConfig(
    List<String> bootstrapServers,
    String clientId,
    int requestTimeoutMs,
    long retryBackoffMs,
    long metadataMaxAgeMs,
    long defaultApiTimeoutMs) {

  public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";

  /** Every key the admin client accepts, with its default. */
  public static final ConfigDef DEFINITION =
      CommonConfigKeys.define(new ConfigDef())
          .define(
              DEFAULT_API_TIMEOUT_MS,
              Type.LONG,
              60_000L,
              atLeast(1),
              "Deadline of an admin operation, retries included.");

  public KeelAdminConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
  }

  public static KeelAdminConfig fromMap(Map<String, ?> raw) {
    Map<String, Object> v = DEFINITION.parse(raw);
    @SuppressWarnings("unchecked")
    List<String> bootstrap = (List<String>) v.get(CommonConfigKeys.BOOTSTRAP_SERVERS);
    return new KeelAdminConfig(
        bootstrap,
        (String) v.get(CommonConfigKeys.CLIENT_ID),
        (Integer) v.get(CommonConfigKeys.REQUEST_TIMEOUT_MS),
        (Long) v.get(CommonConfigKeys.RETRY_BACKOFF_MS),
        (Long) v.get(CommonConfigKeys.METADATA_MAX_AGE_MS),
        (Long) v.get(DEFAULT_API_TIMEOUT_MS));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects Kafka-style keys; {@link #build()} validates them like {@link #fromMap(Map)}. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Builder() {}

    public Builder bootstrap(String... hostPorts) {
      return set(CommonConfigKeys.BOOTSTRAP_SERVERS, Arrays.asList(hostPorts));
    }

    public Builder clientId(String clientId) {
      return set(CommonConfigKeys.CLIENT_ID, clientId);
    }

    public Builder requestTimeoutMs(int ms) {
      return set(CommonConfigKeys.REQUEST_TIMEOUT_MS, ms);
    }

    public Builder defaultApiTimeoutMs(long ms) {
      return set(DEFAULT_API_TIMEOUT_MS, ms);
    }

    public Builder set(String key, Object value) {
      values.put(key, value);
      return this;
    }

    public KeelAdminConfig build() {
      return fromMap(values);
    }
  }
}
