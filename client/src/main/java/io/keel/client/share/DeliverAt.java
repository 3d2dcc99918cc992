package io.keel.client.share;

import io.keel.client.ConsumerRecord;
import io.keel.client.Header;
import io.keel.client.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Delayed delivery: a record carrying the {@value #HEADER} header is not delivered to share
 * consumers before that time (by the share coordinator's clock). Ordinary consumers ignore it.
 *
 * <pre>{@code
 * producer.send(DeliverAt.delayed(new ProducerRecord<>("resize", id, job), Duration.ofMinutes(5), clock));
 * producer.send(DeliverAt.deliverAt(new ProducerRecord<>("reports", id, job), tomorrowAtNine));
 * }</pre>
 */
public final class DeliverAt {
  /** The header key; the value is ms since the epoch, ASCII decimal. */
  public static final String HEADER = "keel.deliver.at";

  private DeliverAt() {}

  /** The header for {@code when}; prefer {@link #deliverAt}, which also replaces an older one. */
  public static Header at(Instant when) {
    return new Header(HEADER, Long.toString(epochMillis(when)).getBytes(StandardCharsets.UTF_8));
  }

  /** Deliver {@code delay} after {@code now} (pass the producer's clock). */
  public static Header after(Instant now, Duration delay) {
    return at(now.plus(checkDelay(delay)));
  }

  /**
   * A copy of {@code record} that share consumers get at {@code when} or later. An earlier
   * deliver-at header is replaced (the broker reads the first one), so a consumed task's headers
   * can be re-sent with a new time.
   */
  public static <K, V> ProducerRecord<K, V> deliverAt(ProducerRecord<K, V> record, Instant when) {
    List<Header> headers = new ArrayList<>();
    record.headers().stream().filter(h -> !h.key().equals(HEADER)).forEach(headers::add);
    headers.add(at(when));
    return new ProducerRecord<>(
        record.topic(),
        record.partition(),
        record.key(),
        record.value(),
        headers,
        record.timestamp());
  }

  /** A copy of {@code record} that share consumers get {@code delay} after {@code clock}'s now. */
  public static <K, V> ProducerRecord<K, V> delayed(
      ProducerRecord<K, V> record, Duration delay, InstantSource clock) {
    return deliverAt(record, clock.instant().plus(checkDelay(delay)));
  }

  /**
   * The deliver-at time a consumed record carries; empty when none or malformed (as the broker).
   */
  public static Optional<Instant> of(ConsumerRecord<?, ?> record) {
    for (Header h : record.headers()) {
      if (h.key().equals(HEADER) && h.value() != null) {
        try {
          String text = new String(h.value(), StandardCharsets.UTF_8).trim();
          return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private static long epochMillis(Instant when) {
    if (when.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException(
          "deliver-at must be at or after " + Instant.EPOCH + ", was " + when);
    }
    try {
      return when.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "deliver-at must fit in ms since the epoch (a long), was " + when, e);
    }
  }

  private static Duration checkDelay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0, was " + delay);
    }
    return delay;
  }
}
