package io.keel.client.share;

import io.keel.client.KeelException;
import io.keel.client.TopicPartition;
import java.util.Map;

/**
 * Some acknowledgements were refused (lock expired, not held, unknown offset); nothing changed for
 * those records. {@link #failures()} names each one with the broker's reason.
 */
public final class ShareAcknowledgementException extends KeelException {
  /** A refused acknowledgement. */
  public record Failure(String code, String message) {}

  private final Map<TopicPartition, Map<Long, Failure>> failures;

  public ShareAcknowledgementException(Map<TopicPartition, Map<Long, Failure>> failures) {
    super("acknowledgements refused: " + failures);
    this.failures = Map.copyOf(failures);
  }

  public Map<TopicPartition, Map<Long, Failure>> failures() {
    return failures;
  }
}
