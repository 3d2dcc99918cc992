package io.keel.client;

import static io.keel.client.internal.ConfigDef.atLeast;

import io.keel.client.internal.CommonConfigKeys;
import io.keel.client.internal.ConfigDef;
import io.keel.client.internal.ConfigDef.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Producer configuration. Build it with {@link #builder()} or from Kafka-style keys with {@link
 * #fromMap(Map)}; both validate the same way and name the offending key.
 */
public record KeelProducerConfig(
    List<String> bootstrapServers,
    String clientId,
    Acks acks,
    long lingerMs,
    int batchSizeBytes,
    CompressionType compression,
    long bufferMemoryBytes,
    long maxBlockMs,
    long deliveryTimeoutMs,
    long retryBackoffMs,
    int requestTimeoutMs,
    int maxInFlightPerPartition,
    boolean idempotence,
    int maxRequestSizeBytes,
    long metadataMaxAgeMs,
    long unknownTopicTimeoutMs) {

  public static final String ACKS = "acks";
  public static final String LINGER_MS = "linger.ms";
  public static final String BATCH_SIZE = "batch.size";
  public static final String COMPRESSION_TYPE = "compression.type";
  public static final String BUFFER_MEMORY = "buffer.memory";
  public static final String MAX_BLOCK_MS = "max.block.ms";
  public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
  public static final String MAX_IN_FLIGHT = "max.in.flight.requests.per.partition";
  public static final String ENABLE_IDEMPOTENCE = "enable.idempotence";
  public static final String MAX_REQUEST_SIZE = "max.request.size";
  public static final String UNKNOWN_TOPIC_TIMEOUT_MS = "metadata.unknown.topic.timeout.ms";

  /** Idempotent producers keep at most this many batches per partition in flight (as Kafka). */
  public static final int MAX_IN_FLIGHT_IDEMPOTENT = 5;

  /** Every key the producer accepts, with its default. */
  public static final ConfigDef DEFINITION =
      CommonConfigKeys.define(new ConfigDef())
          .define(
              ACKS,
              Type.STRING,
              "all",
              ConfigDef.oneOf("0", "1", "all", "-1"),
              "0, 1 or all: replicas that must have a batch before send completes.")
          .define(LINGER_MS, Type.LONG, 5L, atLeast(0), "Wait this long to fill a batch.")
          .define(
              BATCH_SIZE,
              Type.INT,
              16_384,
              atLeast(1),
              "Target bytes of records per partition batch.")
          .define(
              COMPRESSION_TYPE,
              Type.STRING,
              "none",
              ConfigDef.oneOf("none", "lz4", "zstd", "snappy"),
              "Batch compression: none, lz4, zstd or snappy.")
          .define(
              BUFFER_MEMORY,
              Type.LONG,
              33_554_432L,
              atLeast(1),
              "Bytes of records the producer may hold unsent.")
          .define(
              MAX_BLOCK_MS,
              Type.LONG,
              60_000L,
              atLeast(0),
              "How long send() blocks for buffer space or metadata.")
          .define(
              DELIVERY_TIMEOUT_MS,
              Type.LONG,
              120_000L,
              atLeast(1),
              "Upper bound from send() to success or failure, retries included.")
          .define(
              MAX_IN_FLIGHT,
              Type.INT,
              5,
              atLeast(1),
              "Unacknowledged batches per partition (at most 5 with idempotence).")
          .define(
              ENABLE_IDEMPOTENCE,
              Type.BOOLEAN,
              null,
              "Exactly-once per partition across retries; default true unless acks is not all.")
          .define(
              MAX_REQUEST_SIZE,
              Type.INT,
              1_048_576,
              atLeast(1),
              "Largest record (and batch) in bytes the producer sends.")
          .define(
              UNKNOWN_TOPIC_TIMEOUT_MS,
              Type.LONG,
              1_000L,
              atLeast(0),
              "send() fails once metadata has said the topic does not exist for this long.");

  public KeelProducerConfig {
    bootstrapServers = List.copyOf(bootstrapServers);
  }

  public static KeelProducerConfig fromMap(Map<String, ?> raw) {
    Map<String, Object> v = DEFINITION.parse(raw);
    Acks acks = Acks.parse((String) v.get(ACKS));
    Boolean explicitIdempotence = (Boolean) v.get(ENABLE_IDEMPOTENCE);
    boolean idempotence = explicitIdempotence == null ? acks == Acks.ALL : explicitIdempotence;
    int maxInFlight = (Integer) v.get(MAX_IN_FLIGHT);
    long lingerMs = (Long) v.get(LINGER_MS);
    int requestTimeoutMs = (Integer) v.get(CommonConfigKeys.REQUEST_TIMEOUT_MS);
    long deliveryTimeoutMs = (Long) v.get(DELIVERY_TIMEOUT_MS);
    if (idempotence && acks != Acks.ALL) {
      throw ConfigDef.invalid(ENABLE_IDEMPOTENCE, true, "requires acks=all, but acks=" + acks);
    }
    if (idempotence && maxInFlight > MAX_IN_FLIGHT_IDEMPOTENT) {
      throw ConfigDef.invalid(
          MAX_IN_FLIGHT, maxInFlight, "must be <= 5 when enable.idempotence is true");
    }
    if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
      throw ConfigDef.invalid(
          DELIVERY_TIMEOUT_MS,
          deliveryTimeoutMs,
          "must be >= linger.ms + request.timeout.ms = " + (lingerMs + requestTimeoutMs));
    }
    @SuppressWarnings("unchecked")
    List<String> bootstrap = (List<String>) v.get(CommonConfigKeys.BOOTSTRAP_SERVERS);
    return new KeelProducerConfig(
        bootstrap,
        (String) v.get(CommonConfigKeys.CLIENT_ID),
        acks,
        lingerMs,
        (Integer) v.get(BATCH_SIZE),
        CompressionType.parse((String) v.get(COMPRESSION_TYPE)),
        (Long) v.get(BUFFER_MEMORY),
        (Long) v.get(MAX_BLOCK_MS),
        deliveryTimeoutMs,
        (Long) v.get(CommonConfigKeys.RETRY_BACKOFF_MS),
        requestTimeoutMs,
        maxInFlight,
        idempotence,
        (Integer) v.get(MAX_REQUEST_SIZE),
        (Long) v.get(CommonConfigKeys.METADATA_MAX_AGE_MS),
        (Long) v.get(UNKNOWN_TOPIC_TIMEOUT_MS));
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

    public Builder acks(Acks acks) {
      return set(ACKS, acks.configValue());
    }

    public Builder lingerMs(long lingerMs) {
      return set(LINGER_MS, lingerMs);
    }

    public Builder linger(Duration linger) {
      return lingerMs(linger.toMillis());
    }

    public Builder batchSizeBytes(int bytes) {
      return set(BATCH_SIZE, bytes);
    }

    public Builder compression(CompressionType type) {
      return set(COMPRESSION_TYPE, type.configValue());
    }

    public Builder bufferMemoryBytes(long bytes) {
      return set(BUFFER_MEMORY, bytes);
    }

    public Builder maxBlockMs(long ms) {
      return set(MAX_BLOCK_MS, ms);
    }

    public Builder deliveryTimeoutMs(long ms) {
      return set(DELIVERY_TIMEOUT_MS, ms);
    }

    public Builder retryBackoffMs(long ms) {
      return set(CommonConfigKeys.RETRY_BACKOFF_MS, ms);
    }

    public Builder requestTimeoutMs(int ms) {
      return set(CommonConfigKeys.REQUEST_TIMEOUT_MS, ms);
    }

    public Builder maxInFlightPerPartition(int batches) {
      return set(MAX_IN_FLIGHT, batches);
    }

    public Builder idempotence(boolean enabled) {
      return set(ENABLE_IDEMPOTENCE, enabled);
    }

    public Builder maxRequestSizeBytes(int bytes) {
      return set(MAX_REQUEST_SIZE, bytes);
    }

    public Builder metadataMaxAgeMs(long ms) {
      return set(CommonConfigKeys.METADATA_MAX_AGE_MS, ms);
    }

    public Builder unknownTopicTimeoutMs(long ms) {
      return set(UNKNOWN_TOPIC_TIMEOUT_MS, ms);
    }

    /** Sets any key by its Kafka-style name. */
    public Builder set(String key, Object value) {
      values.put(key, value);
      return this;
    }

    public KeelProducerConfig build() {
      return fromMap(values);
    }
  }
}
