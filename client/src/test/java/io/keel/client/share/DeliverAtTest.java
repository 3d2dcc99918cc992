package io.keel.client.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeliverAtTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  private static String header(ProducerRecord<?, ?> r) {
    List<Header> found =
        r.headers().stream().filter(h -> h.key().equals(DeliverAt.HEADER)).toList();
    assertEquals(1, found.size(), "one deliver-at header: " + r.headers());
    return new String(found.get(0).value(), StandardCharsets.UTF_8);
  }

  @Test
  void delayedAddsTheHeaderAndKeepsEverythingElse() {
    Header trace = new Header("trace", new byte[] {1});
    ProducerRecord<String, String> task =
        new ProducerRecord<>("resize", 1, "k", "v", List.of(trace), 42L);
    ProducerRecord<String, String> later =
        DeliverAt.delayed(task, Duration.ofSeconds(30), InstantSource.fixed(NOW));
    assertEquals(Long.toString(NOW.plusSeconds(30).toEpochMilli()), header(later));
    assertEquals(
        List.of("resize", 1, "k", "v", 42L),
        List.of(later.topic(), later.partition(), later.key(), later.value(), later.timestamp()));
    assertTrue(later.headers().contains(trace));
  }

  @Test
  void deliverAtReplacesAnEarlierTimeBecauseTheBrokerReadsTheFirst() {
    ProducerRecord<String, String> first =
        DeliverAt.deliverAt(new ProducerRecord<>("t", "k", "v"), NOW);
    ProducerRecord<String, String> again = DeliverAt.deliverAt(first, NOW.plusSeconds(60));
    assertEquals(Long.toString(NOW.plusSeconds(60).toEpochMilli()), header(again));
  }

  @Test
  void ofReadsAConsumedRecordsTimeAndIgnoresAMalformedOne() {
    ConsumerRecord<String, String> timed =
        new ConsumerRecord<>("t", 0, 0, 0, "k", "v", List.of(DeliverAt.at(NOW)));
    assertEquals(Optional.of(NOW), DeliverAt.of(timed));
    ConsumerRecord<String, String> malformed =
        new ConsumerRecord<>(
            "t",
            0,
            0,
            0,
            "k",
            "v",
            List.of(new Header(DeliverAt.HEADER, "soon".getBytes(StandardCharsets.UTF_8))));
    assertEquals(Optional.empty(), DeliverAt.of(malformed));
  }

  @Test
  void badTimesAndDelaysAreRefusedNamingTheValue() {
    ProducerRecord<String, String> task = new ProducerRecord<>("t", "k", "v");
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeliverAt.delayed(task, Duration.ofSeconds(-1), InstantSource.fixed(NOW)));
    assertEquals("delay must be >= 0, was PT-1S", negative.getMessage());
    IllegalArgumentException early =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeliverAt.deliverAt(task, Instant.EPOCH.minusMillis(1)));
    assertTrue(early.getMessage().contains("at or after 1970-01-01T00:00:00Z"), early.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DeliverAt.deliverAt(task, Instant.MAX));
  }
}
