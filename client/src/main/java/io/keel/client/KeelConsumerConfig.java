package io.keel.client;

import static io.keel.client.internal.ConfigDef.atLeast;

import io.keel.client.internal.CommonConfigKeys;
import io.keel.client.internal.ConfigDef;
import io.keel.client.internal.ConfigDef.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consumer configuration. Build it with {@link #builder()} or from Kafka-style keys with {@link
 * #fromMap(Map)}; both validate the same way and name the offending key.
 *
 * @param groupId consumer group, or null for a consumer that only uses assign()
 */
public record KeelConsumerConfig(
    List<String> bootstrapServers,
    String clientId,
    String groupId,
    AutoOffsetReset autoOffsetReset,
    boolean enableAutoCommit,
    long autoCommitIntervalMs,
    int maxPollRecords,
    int fetchMaxBytes,
    int maxPartitionFetchBytes,
    int fetchMaxWaitMs,
    int fetchMinBytes,
    int sessionTimeoutMs,
    int maxPollIntervalMs,
    int requestTimeoutMs,
    long retryBackoffMs,
    long metadataMaxAgeMs,
    long defaultApiTimeoutMs,
    boolean deliverAtGate) {

  public static final String GROUP_ID = "group.id";
  public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
  public static final String ENABLE_AUTO_COMMIT = "enable.auto.commit";
  public static final String AUTO_COMMIT_INTERVAL_MS = "auto.commit.interval.ms";
  public static final String MAX_POLL_RECORDS = "max.poll.records";
  public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
  public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
  public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
  public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
  public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
  public static final String MAX_POLL_INTERVAL_MS = "max.poll.interval.ms";
  public static final String DEFAULT_API_TIMEOUT_MS = "default.api.timeout.ms";
  public static final String DELIVER_AT_GATE = "keel.deliver.at.gate";

  /** Every key the consumer accepts, with its default. */
  public static final ConfigDef DEFINITION =
      CommonConfigKeys.define(new ConfigDef())
          .define(GROUP_ID, Type.STRING, null, "Consumer group; required by subscribe and commits.")
          .define(
              AUTO_OFFSET_RESET,
              Type.STRING,
              "latest",
              ConfigDef.oneOf("earliest", "latest", "none"),
              "Where to start without a valid position: earliest, latest or none (throw).")
          .define(
              ENABLE_AUTO_COMMIT,
              Type.BOOLEAN,
              true,
              "Commit positions in the background of poll() (only with group.id).")
          .define(
              AUTO_COMMIT_INTERVAL_MS,
              Type.LONG,
              5_000L,
              atLeast(1),
              "How often auto-commit commits.")
          .define(MAX_POLL_RECORDS, Type.INT, 500, atLeast(1), "Most records one poll() returns.")
          .define(
              FETCH_MAX_BYTES,
              Type.INT,
              52_428_800,
              atLeast(1),
              "Most bytes one fetch response may carry.")
          .define(
              MAX_PARTITION_FETCH_BYTES,
              Type.INT,
              1_048_576,
              atLeast(1),
              "Most bytes per partition in one fetch response.")
          .define(
              FETCH_MAX_WAIT_MS,
              Type.INT,
              500,
              atLeast(0),
              "How long the broker holds a fetch waiting for fetch.min.bytes.")
          .define(
              FETCH_MIN_BYTES,
              Type.INT,
              1,
              atLeast(0),
              "Bytes the broker waits for before answering a fetch.")
          .define(
              SESSION_TIMEOUT_MS,
              Type.INT,
              45_000,
              atLeast(1),
              "Accepted for Kafka compatibility; KIP-848 groups use the coordinator's setting.")
          .define(
              MAX_POLL_INTERVAL_MS,
              Type.INT,
              300_000,
              atLeast(1),
              "Rebalance timeout: longest gap between poll() calls of a group member.")
          .define(
              DEFAULT_API_TIMEOUT_MS,
              Type.LONG,
              60_000L,
              atLeast(1),
              "Deadline of blocking calls without an explicit timeout (commitSync, position).")
          .define(
              DELIVER_AT_GATE,
              Type.BOOLEAN,
              false,
              "Hold each partition at its first record whose keel.deliver.at time has not come;"
                  + " the records after it wait too (partition order is kept).");

  public KeelConsumerConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
  }

  public static KeelConsumerConfig fromMap(Map<String, ?> raw) {
    Map<String, Object> v = DEFINITION.parse(raw);
    int fetchMaxBytes = (Integer) v.get(FETCH_MAX_BYTES);
    String groupId = (String) v.get(GROUP_ID);
    if (groupId != null && groupId.isEmpty()) {
      throw ConfigDef.invalid(GROUP_ID, "", "must not be empty; leave it unset for no group");
    }
    @SuppressWarnings("unchecked")
    List<String> bootstrap = (List<String>) v.get(CommonConfigKeys.BOOTSTRAP_SERVERS);
    return new KeelConsumerConfig(
        bootstrap,
        (String) v.get(CommonConfigKeys.CLIENT_ID),
        groupId,
        AutoOffsetReset.parse((String) v.get(AUTO_OFFSET_RESET)),
        (Boolean) v.get(ENABLE_AUTO_COMMIT),
        (Long) v.get(AUTO_COMMIT_INTERVAL_MS),
        (Integer) v.get(MAX_POLL_RECORDS),
        fetchMaxBytes,
        (Integer) v.get(MAX_PARTITION_FETCH_BYTES),
        (Integer) v.get(FETCH_MAX_WAIT_MS),
        (Integer) v.get(FETCH_MIN_BYTES),
        (Integer) v.get(SESSION_TIMEOUT_MS),
        (Integer) v.get(MAX_POLL_INTERVAL_MS),
        (Integer) v.get(CommonConfigKeys.REQUEST_TIMEOUT_MS),
        (Long) v.get(CommonConfigKeys.RETRY_BACKOFF_MS),
        (Long) v.get(CommonConfigKeys.METADATA_MAX_AGE_MS),
        (Long) v.get(DEFAULT_API_TIMEOUT_MS),
        (Boolean) v.get(DELIVER_AT_GATE));
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

    public Builder groupId(String groupId) {
      return set(GROUP_ID, groupId);
    }

    public Builder autoOffsetReset(AutoOffsetReset reset) {
      return set(AUTO_OFFSET_RESET, reset.configValue());
    }

    public Builder enableAutoCommit(boolean enabled) {
      return set(ENABLE_AUTO_COMMIT, enabled);
    }

    public Builder autoCommitIntervalMs(long ms) {
      return set(AUTO_COMMIT_INTERVAL_MS, ms);
    }

    public Builder maxPollRecords(int records) {
      return set(MAX_POLL_RECORDS, records);
    }

    public Builder fetchMaxBytes(int bytes) {
      return set(FETCH_MAX_BYTES, bytes);
    }

    public Builder maxPartitionFetchBytes(int bytes) {
      return set(MAX_PARTITION_FETCH_BYTES, bytes);
    }

    public Builder fetchMaxWaitMs(int ms) {
      return set(FETCH_MAX_WAIT_MS, ms);
    }

    public Builder fetchMinBytes(int bytes) {
      return set(FETCH_MIN_BYTES, bytes);
    }

    public Builder sessionTimeoutMs(int ms) {
      return set(SESSION_TIMEOUT_MS, ms);
    }

    public Builder requestTimeoutMs(int ms) {
      return set(CommonConfigKeys.REQUEST_TIMEOUT_MS, ms);
    }

    public Builder retryBackoffMs(long ms) {
      return set(CommonConfigKeys.RETRY_BACKOFF_MS, ms);
    }

    public Builder defaultApiTimeoutMs(long ms) {
      return set(DEFAULT_API_TIMEOUT_MS, ms);
    }

    /** Sets any key by its Kafka-style name. */
    public Builder set(String key, Object value) {
      values.put(key, value);
      return this;
    }

    public KeelConsumerConfig build() {
      return fromMap(values);
    }
  }
}
