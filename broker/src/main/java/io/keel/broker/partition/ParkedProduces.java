package io.keel.broker.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Produce requests of idempotent producers that arrived ahead of their sequence: gRPC serves the
 * concurrent requests of one connection on several threads, so a producer's batch n+1 can reach the
 * partition's loop before batch n. Parking it until n arrives (or a short wait passes) keeps the
 * producer from seeing a spurious OUT_OF_ORDER_SEQUENCE. Bounded per producer and in total. Not
 * thread-safe: used only on the partition's event loop.
 */
final class ParkedProduces {
  /** More than a producer's in-flight requests (5 by default), fewer than a flood. */
  static final int MAX_PER_PRODUCER = 8;

  static final int MAX_TOTAL = 1024;

  record Parked(ValidatedBatch batch, Acks acks, CompletableFuture<ProduceResult> result) {
    long producerId() {
      return batch.producer().producerId();
    }
  }

  // Invariant: every list is non-empty and in arrival order; total == sum of the list sizes.
  private final Map<Long, List<Parked>> byProducer = new HashMap<>();
  private int total;

  /** Parks {@code p}; false when a limit is reached (the caller answers at once instead). */
  boolean tryPark(Parked p) {
    List<Parked> list = byProducer.get(p.producerId());
    if (total >= MAX_TOTAL || (list != null && list.size() >= MAX_PER_PRODUCER)) {
      return false;
    }
    byProducer.computeIfAbsent(p.producerId(), id -> new ArrayList<>()).add(p);
    total++;
    return true;
  }

  /** Removes and returns every batch parked for {@code producerId}, in arrival order. */
  List<Parked> takeAll(long producerId) {
    List<Parked> list = byProducer.remove(producerId);
    if (list == null) {
      return List.of();
    }
    total -= list.size();
    return list;
  }

  /** Removes and returns every parked batch. */
  List<Parked> takeAll() {
    List<Parked> all = new ArrayList<>(total);
    byProducer.values().forEach(all::addAll);
    byProducer.clear();
    total = 0;
    return all;
  }

  /** Removes {@code p} if it is still parked. */
  boolean remove(Parked p) {
    List<Parked> list = byProducer.get(p.producerId());
    if (list == null || !list.remove(p)) {
      return false;
    }
    total--;
    if (list.isEmpty()) {
      byProducer.remove(p.producerId());
    }
    return true;
  }

  int size() {
    return total;
  }
}
