package io.keel.broker.metrics;

import io.keel.broker.raft.RaftObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's Micrometer registry (scraped at /metrics) and the broker-wide meters. Names are
 * Micrometer style ({@code keel.produce.latency}); Prometheus shows them as {@code
 * keel_produce_latency_seconds}. Per-partition gauges are registered by the partition manager on
 * {@link #registry()}.
 */
public final class BrokerMetrics implements RaftObserver, AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Counter elections;
  private final Counter quarantined;
  private final Counter rejoined;
  private final Timer commitLatency;
  private final Timer fsyncLatency;
  private final Timer produceOk;
  private final Timer produceFailed;
  private final Timer fetchOk;
  private final Timer fetchFailed;
  private final Counter bytesIn;
  private final Counter bytesOut;

  public BrokerMetrics(int nodeId) {
    registry.config().commonTags("node", Integer.toString(nodeId));
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    elections =
        Counter.builder("keel.raft.leader.elections")
            .description("Raft groups in which this node became leader")
            .register(registry);
    quarantined =
        Counter.builder("keel.raft.replicas.quarantined")
            .description("Local Raft group replicas stopped by a storage error or broken invariant")
            .register(registry);
    rejoined =
        Counter.builder("keel.raft.replicas.rejoined")
            .description("Local replicas with a fresh store admitted behind a term fence")
            .register(registry);
    commitLatency = histogram("keel.raft.commit.latency", "Proposal to local apply, leader side");
    fsyncLatency = histogram("keel.fsync.latency", "One group-commit sync of the store");
    produceOk = request("keel.produce.latency", "success");
    produceFailed = request("keel.produce.latency", "error");
    fetchOk = request("keel.fetch.latency", "success");
    fetchFailed = request("keel.fetch.latency", "error");
    bytesIn =
        Counter.builder("keel.bytes.in")
            .baseUnit("bytes")
            .description("Record batch bytes produced to this node")
            .register(registry);
    bytesOut =
        Counter.builder("keel.bytes.out")
            .baseUnit("bytes")
            .description("Record batch bytes fetched from this node")
            .register(registry);
  }

  private Timer histogram(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .register(registry);
  }

  private Timer request(String name, String outcome) {
    return Timer.builder(name)
        .description("Request latency; the count gives the request rate")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** One produce request: its latency and the batch bytes it carried. */
  public void recordProduce(long nanos, long bytes, boolean success) {
    (success ? produceOk : produceFailed).record(nanos, TimeUnit.NANOSECONDS);
    bytesIn.increment(bytes);
  }

  /** One fetch request: its latency and the batch bytes it returned. */
  public void recordFetch(long nanos, long bytes, boolean success) {
    (success ? fetchOk : fetchFailed).record(nanos, TimeUnit.NANOSECONDS);
    bytesOut.increment(bytes);
  }

  /** Publishes the count of partitions led here with a replica out of sync. */
  public void underReplicatedPartitions(Supplier<Number> count) {
    Gauge.builder("keel.partitions.under.replicated", count)
        .description("Partitions led by this node with at least one replica out of sync")
        .register(registry);
  }

  /** Publishes a node-level gauge (e.g. raft groups hosted, led). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  @Override
  public void becameLeader(long groupId) {
    elections.increment();
  }

  @Override
  public void quarantined(long groupId, Throwable cause) {
    quarantined.increment();
  }

  @Override
  public void rejoined(long groupId, long fenceTerm) {
    rejoined.increment();
  }

  /** Replicas admitted behind a term fence since start. */
  public double rejoinedReplicas() {
    return rejoined.count();
  }

  @Override
  public void committed(long nanos) {
    commitLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void synced(long nanos) {
    fsyncLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
