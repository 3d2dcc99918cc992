package io.keel.broker.group;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group meters of the groups this node coordinates: {@code keel.consumer.group.members}, {@code
 * keel.consumer.group.rebalances} and {@code keel.consumer.group.lag} (Prometheus: {@code
 * keel_consumer_group_lag{group,topic,partition}}). Gauges of groups no longer coordinated here are
 * removed at the next refresh. Thread-safe.
 */
final class GroupMetrics {
  /** One gauge's key: its name and tags. */
  record Key(String name, Tags tags) {}

  private final MeterRegistry registry;
  private final Map<Key, AtomicLong> values = new HashMap<>();
  private final Map<Key, Meter> meters = new HashMap<>();

  GroupMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void onRebalance(String groupId) {
    Counter.builder("keel.consumer.group.rebalances")
        .description("Target assignment changes of groups coordinated here")
        .tag("group", groupId)
        .register(registry)
        .increment();
  }

  static Key members(String groupId) {
    return new Key("keel.consumer.group.members", Tags.of("group", groupId));
  }

  static Key lag(String groupId, TopicPartition tp) {
    return new Key(
        "keel.consumer.group.lag",
        Tags.of(
            "group", groupId, "topic", tp.topic(), "partition", Integer.toString(tp.partition())));
  }

  /** Replaces every gauge value; gauges absent from {@code current} are removed. */
  synchronized void update(Map<Key, Long> current) {
    for (Key k : Map.copyOf(values).keySet()) {
      if (!current.containsKey(k)) {
        values.remove(k);
        registry.remove(meters.remove(k));
      }
    }
    current.forEach(
        (k, v) -> {
          AtomicLong holder = values.get(k);
          if (holder == null) {
            holder = new AtomicLong();
            values.put(k, holder);
            meters.put(
                k,
                Gauge.builder(k.name(), holder, AtomicLong::get)
                    .tags(k.tags())
                    .description(description(k.name()))
                    .register(registry));
          }
          holder.set(v);
        });
  }

  private static String description(String name) {
    return name.endsWith("lag")
        ? "High watermark minus committed offset per partition"
        : "Members of a group coordinated here";
  }

  synchronized void close() {
    update(new HashMap<>());
  }
}
