package io.keel.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Per-name futures of an admin operation on several topics or groups. */
public record AdminResult<T>(Map<String, CompletableFuture<T>> values) {
  public AdminResult {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Completes when every value did; fails with the first failure. */
  public CompletableFuture<Map<String, T>> all() {
    return CompletableFuture.allOf(values.values().toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<String, T> out = new LinkedHashMap<>();
              values.forEach((name, f) -> out.put(name, f.join()));
              return out;
            });
  }
}
