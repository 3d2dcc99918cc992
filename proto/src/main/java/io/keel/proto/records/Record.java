package io.keel.proto.records;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record read from a batch. Arrays are not copied, for throughput: treat them as read-only.
 *
 * @param offset absolute offset: the batch's base offset plus the record's offset delta
 * @param timestamp milliseconds since the epoch, as set by the producer
 * @param key null for a record without key
 * @param value null for a tombstone
 * @param headers never null
 */
public record Record(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
  public Record {
    headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Record r
        && offset == r.offset
        && timestamp == r.timestamp
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(offset);
    h = 31 * h + Long.hashCode(timestamp);
    h = 31 * h + Arrays.hashCode(key);
    h = 31 * h + Arrays.hashCode(value);
    return 31 * h + headers.hashCode();
  }

  @Override
  public String toString() {
    return "Record[offset=%d, timestamp=%d, key=%s, value=%s, headers=%s]"
        .formatted(offset, timestamp, describe(key), describe(value), headers);
  }

  static String describe(byte[] bytes) {
    return bytes == null ? "null" : bytes.length + " bytes";
  }
}
