package io.keel.broker.share;

import io.keel.proto.records.Header;
import io.keel.proto.records.Record;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/** Record headers share groups read and write. */
public final class ShareHeaders {
  /** Set by a producer: share consumers never get the record before this time (ms since epoch). */
  public static final String DELIVER_AT = "keel.deliver.at";

  static final String DLQ_REASON = "keel.dlq.reason";
  static final String DLQ_TOPIC = "keel.dlq.source.topic";
  static final String DLQ_PARTITION = "keel.dlq.source.partition";
  static final String DLQ_OFFSET = "keel.dlq.source.offset";
  static final String DLQ_DELIVERY_COUNT = "keel.dlq.delivery.count";
  static final String DLQ_GROUP = "keel.dlq.group";

  private ShareHeaders() {}

  /** The record's deliver-at time; a malformed header counts as none (delivered at once). */
  static OptionalLong deliverAt(Record record) {
    for (Header h : record.headers()) {
      if (h.key().equals(DELIVER_AT) && h.value() != null) {
        try {
          return OptionalLong.of(
              Long.parseLong(new String(h.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  static Header header(String key, String value) {
    return new Header(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
