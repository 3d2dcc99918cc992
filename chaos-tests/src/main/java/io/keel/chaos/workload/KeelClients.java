package io.keel.chaos.workload;

import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.Serdes;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.KeelShareConsumerConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Client factories with timeouts short enough that an operation stuck behind a fault completes (as
 * INFO) within seconds, so each logical process soon gets to try again.
 */
final class KeelClients {
  static final int REQUEST_TIMEOUT_MS = 3_000;
  static final long DELIVERY_TIMEOUT_MS = 10_000;
  static final long API_TIMEOUT_MS = 5_000;

  private final String bootstrap;

  KeelClients(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /**
   * A producer of long values.
   *
   * @param idempotence enable.idempotence (requires acks=all)
   * @param leaderAcks acks=1: acknowledged after the leader's local append only (unsafe)
   */
  KeelProducer<Long, Long> producer(String clientId, boolean idempotence, boolean leaderAcks) {
    Map<String, Object> c = common(clientId);
    c.put(KeelProducerConfig.ACKS, leaderAcks ? "1" : "all");
    c.put(KeelProducerConfig.ENABLE_IDEMPOTENCE, Boolean.toString(idempotence));
    c.put(KeelProducerConfig.LINGER_MS, "1");
    c.put(KeelProducerConfig.DELIVERY_TIMEOUT_MS, Long.toString(DELIVERY_TIMEOUT_MS));
    c.put(KeelProducerConfig.MAX_BLOCK_MS, Long.toString(API_TIMEOUT_MS));
    return new KeelProducer<>(
        KeelProducerConfig.fromMap(c), Serdes.longSerializer(), Serdes.longSerializer());
  }

  /** A consumer of long values; {@code groupId} may be null (no group). */
  KeelConsumer<Long, Long> consumer(String clientId, String groupId) {
    Map<String, Object> c = common(clientId);
    if (groupId != null) {
      c.put(KeelConsumerConfig.GROUP_ID, groupId);
    }
    c.put(KeelConsumerConfig.AUTO_OFFSET_RESET, "earliest");
    c.put(KeelConsumerConfig.ENABLE_AUTO_COMMIT, "false");
    c.put(KeelConsumerConfig.FETCH_MAX_WAIT_MS, "200");
    c.put(KeelConsumerConfig.SESSION_TIMEOUT_MS, "6000");
    c.put(KeelConsumerConfig.DEFAULT_API_TIMEOUT_MS, Long.toString(API_TIMEOUT_MS));
    return new KeelConsumer<>(
        KeelConsumerConfig.fromMap(c), Serdes.longDeserializer(), Serdes.longDeserializer());
  }

  /**
   * A share-group member with explicit acknowledgement (a record not acknowledged stays held until
   * its lock runs out).
   *
   * @param maxPollRecords records per poll (1 to 500)
   */
  KeelShareConsumer<Long, Long> shareConsumer(String clientId, String groupId, int maxPollRecords) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("client.id", clientId);
    c.put("group.id", groupId);
    c.put("share.acknowledgement.mode", "explicit");
    c.put("max.poll.records", Integer.toString(maxPollRecords));
    c.put("fetch.max.wait.ms", "200");
    c.put("request.timeout.ms", Integer.toString(REQUEST_TIMEOUT_MS));
    c.put("retry.backoff.ms", "100");
    return new KeelShareConsumer<>(
        KeelShareConsumerConfig.of(c), Serdes.longDeserializer(), Serdes.longDeserializer());
  }

  KeelAdmin admin(String clientId) {
    Map<String, Object> c = common(clientId);
    c.put(KeelAdminConfig.DEFAULT_API_TIMEOUT_MS, Long.toString(API_TIMEOUT_MS));
    return new KeelAdmin(KeelAdminConfig.fromMap(c));
  }

  private Map<String, Object> common(String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put("client.id", clientId);
    c.put("request.timeout.ms", Integer.toString(REQUEST_TIMEOUT_MS));
    c.put("retry.backoff.ms", "100");
    c.put("metadata.max.age.ms", "2000");
    return c;
  }
}
