package io.keel.client.internal;

import io.keel.client.AutoOffsetReset;
import io.keel.client.TopicPartition;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The consumer's assigned partitions and, for each, its position (the next offset to return),
 * whether it is paused and whether its position must be (re)initialised. Used only by the thread
 * calling poll(); not thread-safe.
 */
public final class SubscriptionState {
  /** Per-partition state. A null position means it must be looked up before fetching. */
  static final class PartitionState {
    Long position;
    boolean paused;
    // How to initialise a missing position: null = committed offset, then auto.offset.reset.
    AutoOffsetReset resetTo;
    long highWatermark = -1;
    long retryAtMs;
  }

  private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
  private Set<String> subscribedTopics = Set.of();

  public void assign(Collection<TopicPartition> assignment) {
    Set<TopicPartition> wanted = new LinkedHashSet<>(assignment);
    partitions.keySet().retainAll(wanted);
    for (TopicPartition tp : wanted) {
      partitions.computeIfAbsent(tp, k -> new PartitionState());
    }
  }

  public Set<TopicPartition> assignment() {
    return Set.copyOf(partitions.keySet());
  }

  public void subscribe(Collection<String> topics) {
    subscribedTopics = Set.copyOf(topics);
  }

  public Set<String> subscribedTopics() {
    return subscribedTopics;
  }

  public boolean isAssigned(TopicPartition tp) {
    return partitions.containsKey(tp);
  }

  private PartitionState state(TopicPartition tp) {
    PartitionState s = partitions.get(tp);
    if (s == null) {
      throw new IllegalStateException("partition " + tp + " is not assigned to this consumer");
    }
    return s;
  }

  public void seek(TopicPartition tp, long offset) {
    Checks.arg(offset >= 0, "seek offset must be >= 0, was %s", offset);
    PartitionState s = state(tp);
    s.position = offset;
    s.resetTo = null;
  }

  /** Forgets the position; the next poll looks it up with {@code strategy}. */
  public void requestReset(TopicPartition tp, AutoOffsetReset strategy) {
    PartitionState s = state(tp);
    s.position = null;
    s.resetTo = strategy;
  }

  public Long position(TopicPartition tp) {
    return state(tp).position;
  }

  public AutoOffsetReset resetStrategy(TopicPartition tp) {
    return state(tp).resetTo;
  }

  public void pause(TopicPartition tp) {
    state(tp).paused = true;
  }

  public void resume(TopicPartition tp) {
    state(tp).paused = false;
  }

  public boolean isPaused(TopicPartition tp) {
    return state(tp).paused;
  }

  public Set<TopicPartition> paused() {
    Set<TopicPartition> out = new LinkedHashSet<>();
    partitions.forEach(
        (tp, s) -> {
          if (s.paused) {
            out.add(tp);
          }
        });
    return out;
  }

  public List<TopicPartition> missingPositions() {
    return partitions.entrySet().stream()
        .filter(e -> e.getValue().position == null)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Partitions with a position, not paused and not backing off. */
  public List<TopicPartition> fetchable(long nowMs) {
    return partitions.entrySet().stream()
        .filter(
            e ->
                e.getValue().position != null
                    && !e.getValue().paused
                    && e.getValue().retryAtMs <= nowMs)
        .map(Map.Entry::getKey)
        .toList();
  }

  public void backOff(TopicPartition tp, long untilMs) {
    PartitionState s = partitions.get(tp);
    if (s != null) {
      s.retryAtMs = untilMs;
    }
  }

  public void setHighWatermark(TopicPartition tp, long highWatermark) {
    PartitionState s = partitions.get(tp);
    if (s != null) {
      s.highWatermark = highWatermark;
    }
  }

  /** Positions of every assigned partition that has one: what commitSync() commits. */
  public Map<TopicPartition, Long> positions() {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    partitions.forEach(
        (tp, s) -> {
          if (s.position != null) {
            out.put(tp, s.position);
          }
        });
    return out;
  }
}
