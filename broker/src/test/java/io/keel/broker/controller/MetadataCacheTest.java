package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetadataCacheTest {

  private static MetadataImage version(long v) {
    return new MetadataImage(v, 1, Map.of(), Map.of());
  }

  @Test
  void listenersSeeOnlyNewerImagesInOrder() throws Exception {
    try (MetadataCache cache = new MetadataCache()) {
      List<Long> seen = Collections.synchronizedList(new ArrayList<>());
      cache.offer(version(3));
      cache.addListener((previous, current) -> seen.add(current.version()));
      cache.offer(version(2));
      cache.offer(version(5));
      cache.offer(version(5));
      cache.offer(version(7));
      cache.awaitVersion(7).get(5, TimeUnit.SECONDS);
      CompletableFuture<Void> drained = new CompletableFuture<>();
      cache.addListener((p, c) -> drained.complete(null));
      drained.get(5, TimeUnit.SECONDS);
      assertEquals(List.of(3L, 5L, 7L), List.copyOf(seen));
      assertEquals(7, cache.image().version());
    }
  }

  @Test
  void awaitVersionCompletesOnlyWhenReached() throws Exception {
    try (MetadataCache cache = new MetadataCache()) {
      CompletableFuture<MetadataImage> waiting = cache.awaitVersion(4);
      cache.offer(version(3));
      assertFalse(waiting.isDone());
      cache.offer(version(4));
      assertEquals(4, waiting.get(5, TimeUnit.SECONDS).version());
    }
  }
}
