package io.keel.proto.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record header. The value array is not copied: treat it as read-only.
 *
 * @param key non-null header name
 * @param value header value, or null
 */
public record Header(String key, byte[] value) {
  public Header {
    Objects.requireNonNull(key, "header key");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Header[key=" + key + ", value=" + Record.describe(value) + "]";
  }
}
