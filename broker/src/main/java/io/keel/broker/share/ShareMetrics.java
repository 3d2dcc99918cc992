package io.keel.broker.share;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per share group and partition gauges, exported by the node coordinating the group and refreshed
 * on every share timer tick: in-flight, acquired, delayed, oldest unacknowledged age, and the
 * replicated totals of lock expiries, redeliveries and dead letters (a rate is {@code rate()} of
 * them in Prometheus; they are totals of the group's life, so they survive failover).
 */
final class ShareMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final InstantSource clock;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  ShareMetrics(MeterRegistry registry, InstantSource clock) {
    this.registry = registry;
    this.clock = clock;
  }

  void refresh(ShareCoordinator coordinator) {
    coordinator
        .views()
        .thenAccept(
            views -> {
              long now = clock.millis();
              for (ShareCoordinator.GroupView g : views) {
                for (ShareCoordinator.PartitionView p : g.partitions()) {
                  Tags tags =
                      Tags.of(
                          "group", g.groupId(),
                          "topic", p.partition().topic(),
                          "partition", Integer.toString(p.partition().partition()));
                  set("keel.share.in.flight", tags, p.available() + p.acquired() + p.archiving());
                  set("keel.share.acquired", tags, p.acquired());
                  set("keel.share.delayed", tags, p.delayed());
                  set(
                      "keel.share.oldest.unacked.age.ms",
                      tags,
                      p.oldestUnackedSinceMs() == Long.MAX_VALUE
                          ? 0
                          : Math.max(0, now - p.oldestUnackedSinceMs()));
                  set("keel.share.lock.expiries", tags, p.counters().lockExpiries());
                  set("keel.share.redeliveries", tags, p.counters().redeliveries());
                  set("keel.share.dead.lettered", tags, p.counters().deadLettered());
                  set("keel.share.accepted", tags, p.counters().accepted());
                }
              }
            });
  }

  private void set(String name, Tags tags, long value) {
    values
        .computeIfAbsent(
            name + tags,
            k -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder(name, v, AtomicLong::get).tags(tags).register(registry);
              return v;
            })
        .set(value);
  }

  @Override
  public void close() {
    values.clear();
  }
}
