package io.keel.client.bench;

import io.keel.client.Acks;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.KeelRequester;
import io.keel.client.KeelRequesterConfig;
import io.keel.client.KeelResponder;
import io.keel.client.KeelResponderConfig;
import io.keel.client.ProducerRecord;
import io.keel.client.Serdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark, not a test: against a running cluster (e.g. {@code keel dev}), HTTP produce of 1 KiB
 * records batched and one per request vs the gRPC producer, then request/reply round trips at a
 * fixed rate. Run: see docs/benchmarks.md.
 *
 * <p>Arguments: HTTP base URL, gRPC bootstrap, seconds per phase. Topics bench-http (3 partitions)
 * and bench-req, bench-rep must exist.
 */
public final class HttpVsGrpcBench {
  private static final int RECORD_BYTES = 1024;

  public static void main(String[] args) throws Exception {
    String http = args[0];
    String bootstrap = args[1];
    Duration phase = Duration.ofSeconds(Long.parseLong(args[2]));
    String value = "x".repeat(RECORD_BYTES);
    httpProduce(http, value, 100, 4, phase);
    httpProduce(http, value, 1, 32, phase);
    grpcProduce(bootstrap, value, phase);
    requestReply(bootstrap, 50, phase);
  }

  private static void httpProduce(
      String base, String value, int perRequest, int inflight, Duration phase) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    StringBuilder body = new StringBuilder("{\"records\":[");
    for (int i = 0; i < perRequest; i++) {
      body.append(i == 0 ? "" : ",").append("{\"value\":\"").append(value).append("\"}");
    }
    String json = body.append("]}").toString();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/v1/topics/bench-http/records"))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    Semaphore slots = new Semaphore(inflight);
    AtomicLong records = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    long end = System.nanoTime() + phase.toNanos();
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      slots.acquire();
      long t0 = System.nanoTime();
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (r, e) -> {
                slots.release();
                if (e == null && r.statusCode() == 200) {
                  records.addAndGet(perRequest);
                  latencies.add(System.nanoTime() - t0);
                } else {
                  errors.incrementAndGet();
                }
              });
    }
    slots.acquire(inflight);
    report(
        "HTTP produce, " + perRequest + " record(s)/request, " + inflight + " in flight",
        records.get(),
        errors.get(),
        System.nanoTime() - start,
        latencies);
  }

  private static void grpcProduce(String bootstrap, String value, Duration phase) {
    try (KeelProducer<String, String> producer =
        new KeelProducer<>(
            KeelProducerConfig.builder().bootstrap(bootstrap).acks(Acks.ALL).build(),
            Serdes.stringSerializer(),
            Serdes.stringSerializer())) {
      AtomicLong records = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + phase.toNanos();
      long start = System.nanoTime();
      List<CompletableFuture<?>> last = new ArrayList<>();
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        CompletableFuture<?> f =
            producer
                .send(new ProducerRecord<>("bench-http", null, value))
                .whenComplete(
                    (md, e) -> {
                      if (e == null) {
                        records.incrementAndGet();
                        latencies.add(System.nanoTime() - t0);
                      } else {
                        errors.incrementAndGet();
                      }
                    });
        if (last.size() > 10_000) {
          last.clear();
        }
        last.add(f);
      }
      producer.flush();
      report(
          "gRPC KeelProducer (acks all, default batching)",
          records.get(),
          errors.get(),
          System.nanoTime() - start,
          latencies);
    }
  }

  private static void requestReply(String bootstrap, int perSecond, Duration phase)
      throws Exception {
    KeelResponder<String, String> worker =
        new KeelResponder<>(
            KeelResponderConfig.of(bootstrap, "bench-echo", "bench-req"),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            r -> r.value());
    Thread.ofPlatform().daemon().start(worker);
    try (KeelRequester<String, String> requester =
        new KeelRequester<>(
            KeelRequesterConfig.of(bootstrap, "bench-rep", 0),
            Serdes.stringSerializer(),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer())) {
      requester.request("bench-req", "warm", "warm", Duration.ofSeconds(60)).join();
      List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicLong errors = new AtomicLong();
      List<CompletableFuture<String>> all = new ArrayList<>();
      long intervalNanos = 1_000_000_000L / perSecond;
      long start = System.nanoTime();
      long count = phase.toSeconds() * perSecond;
      for (long i = 0; i < count; i++) {
        long due = start + i * intervalNanos;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        long t0 = System.nanoTime();
        all.add(
            requester
                .request("bench-req", "k" + i, "v" + i, Duration.ofSeconds(30))
                .whenComplete(
                    (v, e) -> {
                      if (e == null) {
                        latencies.add(System.nanoTime() - t0);
                      } else {
                        errors.incrementAndGet();
                      }
                    }));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .join();
      report(
          "request/reply at " + perSecond + "/s (Java requester + responder)",
          latencies.size(),
          errors.get(),
          System.nanoTime() - start,
          latencies);
    } finally {
      worker.close();
    }
  }

  private static void report(
      String what, long records, long errors, long elapsedNanos, List<Long> latencies) {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    double seconds = elapsedNanos / 1e9;
    System.out.printf(
        "%-60s %9.0f records/s %7.1f MiB/s  p50 %6.1f ms  p99 %6.1f ms  errors %d%n",
        what,
        records / seconds,
        records * RECORD_BYTES / seconds / (1 << 20),
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        errors);
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
  }
}
