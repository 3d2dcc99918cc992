package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static Map<String, Object> base() {
    Map<String, Object> m = new HashMap<>();
    m.put("bootstrap.servers", "a:9092,b:9093");
    return m;
  }

  private static void assertRejected(Map<String, Object> raw, String key) {
    var e = assertThrows(InvalidConfigException.class, () -> KeelProducerConfig.fromMap(raw));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }

  @Test
  void defaultsMatchTheDocumentedOnes() {
    KeelProducerConfig c = KeelProducerConfig.fromMap(base());
    assertEquals(List.of("a:9092", "b:9093"), c.bootstrapServers());
    assertEquals(Acks.ALL, c.acks());
    assertTrue(c.idempotence());
    assertEquals(5, c.maxInFlightPerPartition());
    assertEquals(16_384, c.batchSizeBytes());
    assertEquals(120_000, c.deliveryTimeoutMs());
  }

  @Test
  void builderAndMapAgree() {
    Map<String, Object> raw = base();
    raw.put("linger.ms", "7");
    raw.put("compression.type", "zstd");
    raw.put("acks", 1);
    KeelProducerConfig fromMap = KeelProducerConfig.fromMap(raw);
    KeelProducerConfig built =
        KeelProducerConfig.builder()
            .bootstrap("a:9092", "b:9093")
            .lingerMs(7)
            .compression(CompressionType.ZSTD)
            .acks(Acks.LEADER)
            .build();
    assertEquals(fromMap, built);
    assertFalse(built.idempotence(), "acks=1 without enable.idempotence turns idempotence off");
  }

  @Test
  void unknownKeyIsRejectedByName() {
    Map<String, Object> raw = base();
    raw.put("linger.msec", 5);
    assertRejected(raw, "linger.msec");
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertRejected(with("acks", "2"), "acks");
    assertRejected(with("linger.ms", -1), "linger.ms");
    assertRejected(with("batch.size", "big"), "batch.size");
    assertRejected(with("compression.type", "gzip"), "compression.type");
    assertRejected(with("enable.idempotence", "maybe"), "enable.idempotence");
    assertRejected(with("bootstrap.servers", "no-port"), "bootstrap.servers");
  }

  @Test
  void missingBootstrapIsRejected() {
    var e = assertThrows(InvalidConfigException.class, () -> KeelProducerConfig.fromMap(Map.of()));
    assertTrue(e.getMessage().contains("bootstrap.servers"), e.getMessage());
  }

  @Test
  void crossKeyRulesNameTheKey() {
    Map<String, Object> raw = base();
    raw.put("enable.idempotence", true);
    raw.put("acks", "1");
    assertRejected(raw, "enable.idempotence");
    assertRejected(
        with("max.in.flight.requests.per.partition", 6), "max.in.flight.requests.per.partition");
    Map<String, Object> timeouts = base();
    timeouts.put("delivery.timeout.ms", 1000);
    timeouts.put("request.timeout.ms", 5000);
    assertRejected(timeouts, "delivery.timeout.ms");
  }

  @Test
  void consumerConfigValidates() {
    Map<String, Object> raw = base();
    raw.put("auto.offset.reset", "sometimes");
    var e = assertThrows(InvalidConfigException.class, () -> KeelConsumerConfig.fromMap(raw));
    assertTrue(e.getMessage().contains("'auto.offset.reset'"), e.getMessage());
    Map<String, Object> ok = base();
    ok.put("group.id", "g");
    ok.put("max.poll.records", "10");
    KeelConsumerConfig c = KeelConsumerConfig.fromMap(ok);
    assertEquals("g", c.groupId());
    assertEquals(10, c.maxPollRecords());
    assertEquals(AutoOffsetReset.LATEST, c.autoOffsetReset());
    Map<String, Object> producerKey = base();
    producerKey.put("linger.ms", 5);
    var e2 =
        assertThrows(InvalidConfigException.class, () -> KeelConsumerConfig.fromMap(producerKey));
    assertTrue(e2.getMessage().contains("'linger.ms'"), e2.getMessage());
  }

  private static Map<String, Object> with(String key, Object value) {
    Map<String, Object> m = base();
    m.put(key, value);
    return m;
  }
}
