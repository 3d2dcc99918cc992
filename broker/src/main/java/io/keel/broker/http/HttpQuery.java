package io.keel.broker.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Query parameters of a request, read one by one; bad values are 400s naming the parameter. */
record HttpQuery(Map<String, List<String>> params) {

  HttpQuery allowOnly(Set<String> known) {
    for (String name : params.keySet()) {
      if (!known.contains(name)) {
        throw HttpApiException.badField(name, "unknown query parameter; expected one of " + known);
      }
    }
    return this;
  }

  Optional<String> string(String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw HttpApiException.badField(name, "given " + values.size() + " times, expected once");
    }
    return Optional.of(values.get(0));
  }

  long integer(String name, long fallback, long min, long max) {
    Optional<String> text = string(name);
    if (text.isEmpty()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text.get());
    } catch (NumberFormatException e) {
      throw HttpApiException.badField(name, "expected an integer, got \"" + text.get() + "\"");
    }
    if (value < min || value > max) {
      throw HttpApiException.badField(name, "must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  int integer(String name, int fallback, int min, int max) {
    return (int) integer(name, (long) fallback, min, max);
  }
}
