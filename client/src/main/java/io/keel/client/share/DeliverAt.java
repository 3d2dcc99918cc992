package io.keel.client.share;

import io.keel.client.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The delayed-delivery header: a record carrying it is not delivered to share consumers before that
 * time (by the share coordinator's clock). Add it to a {@code ProducerRecord}'s headers.
 */
public final class DeliverAt {
  /** The header key; the value is ms since the epoch, ASCII decimal. */
  public static final String HEADER = "keel.deliver.at";

  private DeliverAt() {}

  public static Header at(Instant when) {
    return new Header(HEADER, Long.toString(when.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
  }

  /** Deliver {@code delay} after {@code now} (pass the producer's clock). */
  public static Header after(Instant now, Duration delay) {
    return at(now.plus(delay));
  }
}
