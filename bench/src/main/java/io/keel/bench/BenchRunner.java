package io.keel.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Workload} against a cluster through a {@link Driver} (Keel or Kafka, measured the
 * same way): producers (at a fixed rate, latency measured from each message's intended send time so
 * a stall is not hidden by coordinated omission, or at max rate), consumers measuring end-to-end
 * latency from the send time each message carries, a progress line per second, then an optional
 * drain of the whole topic (a cold pass, then a timed warm one). In share mode the consumers are
 * share-group workers instead, accepting each record, and the end-to-end latency runs from intended
 * send to the confirmed accept. With broker pids it also reports their CPU time per million
 * messages and their largest resident set over the run.
 */
public final class BenchRunner {
  private static final Duration CATCH_UP_MAX = Duration.ofSeconds(10);
  private static final int RANDOM_POOL_MIN_BYTES = 4 << 20;

  private final Workload workload;
  private final Driver driver;
  private final String system;
  // A share group reads its topic from the start, so a share run gets a fresh topic: records of
  // earlier runs would count as accepted and carry another JVM's clock.
  private final String topic;
  private final ProcessStats brokers;
  private final PrintStream progress;
  // Payloads are slices of this at random offsets: as incompressible as fresh random bytes, but
  // a copy instead of running the generator per message (which showed as the producer thread's
  // top cost).
  private final byte[] randomPool;

  private final LatencyStats publishLatency = new LatencyStats();
  private final LatencyStats endToEndLatency = new LatencyStats();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong ackedBytes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Map<String, AtomicLong> errorsByType = new ConcurrentHashMap<>();
  private volatile String lastError = "";
  private volatile double maxRssMiB;
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicBoolean measuring = new AtomicBoolean();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  // The --serial sender, woken by a consumer per record instead of spinning (a spinning thread
  // takes a core from the brokers on small machines).
  private volatile Thread serialWaiter;

  public BenchRunner(
      Workload workload, Driver driver, String system, ProcessStats brokers, PrintStream progress) {
    this.workload = workload;
    this.driver = driver;
    this.system = system;
    this.topic =
        workload.shareWorkers() > 0
            ? workload.topic() + "-share-" + System.currentTimeMillis()
            : workload.topic();
    this.brokers = brokers;
    this.progress = progress;
    this.randomPool = new byte[Math.max(RANDOM_POOL_MIN_BYTES, 8 * workload.messageSizeBytes())];
    ThreadLocalRandom.current().nextBytes(randomPool);
  }

  public BenchResult run() throws InterruptedException {
    driver.createTopic(topic, workload.partitions(), workload.replicationFactor());
    List<Integer> partitions = IntStream.range(0, workload.partitions()).boxed().toList();
    List<Thread> consumers =
        workload.shareWorkers() > 0 ? startShareWorkers() : startConsumers(partitions);
    long startNanos = System.nanoTime();
    if (workload.serialMessages() > 0) {
      cpuAtStart = cpuSeconds();
      measuring.set(true);
      runSerial();
    } else {
      runTimed(startNanos);
    }
    long warmupNanos = workload.serialMessages() > 0 ? 0 : workload.warmup().toNanos();
    long measuredNanos = System.nanoTime() - startNanos - warmupNanos;
    double cpu = cpuSeconds() - cpuAtStart;
    awaitConsumersCaughtUp();
    consuming.set(false);
    for (Thread consumer : consumers) {
      consumer.join();
    }
    // Latencies recorded since the last progress line (in --serial mode: all) join the totals.
    publishLatency.sampleInterval(measuring.get());
    endToEndLatency.sampleInterval(measuring.get());
    double seconds = Math.max(1e-9, measuredNanos / 1e9);
    BenchResult.Drain drain = workload.drain() ? drain(partitions) : BenchResult.Drain.NONE;
    sampleRss();
    Map<String, Long> errorTypes = new TreeMap<>();
    errorsByType.forEach((type, n) -> errorTypes.put(type, n.get()));
    return new BenchResult(
        system,
        workload,
        topic,
        acked.get(),
        errors.get(),
        errorTypes,
        lastError,
        acked.get() / seconds,
        ackedBytes.get() / seconds / 1e6,
        publishLatency.total(),
        consumed.get(),
        consumed.get() / seconds,
        endToEndLatency.total(),
        drain,
        brokers.isEmpty() ? -1 : cpu,
        brokers.isEmpty() || acked.get() == 0 ? -1 : cpu / acked.get() * 1e6,
        brokers.isEmpty() ? -1 : maxRssMiB);
  }

  private double cpuAtStart;

  private double cpuSeconds() {
    return brokers.isEmpty() ? 0 : brokers.cpuSeconds();
  }

  private void sampleRss() {
    if (!brokers.isEmpty()) {
      maxRssMiB = Math.max(maxRssMiB, brokers.maxRssMiB());
    }
  }

  private List<Thread> startConsumers(List<Integer> partitions) {
    List<Thread> threads = new ArrayList<>();
    int count = Math.min(workload.consumers(), partitions.size());
    for (int c = 0; c < count; c++) {
      List<Integer> mine = new ArrayList<>();
      for (int p = c; p < partitions.size(); p += count) {
        mine.add(partitions.get(p));
      }
      Driver.Reader consumer = driver.newReader(workload);
      consumer.assignAtEnd(topic, mine); // resolved before the first message is sent
      threads.add(Thread.ofPlatform().name("bench-consumer-" + c).start(() -> consume(consumer)));
    }
    return threads;
  }

  private List<Thread> startShareWorkers() {
    String group = topic + "-workers";
    progress.printf(
        "[share] %d workers in group %s on fresh topic %s%n",
        workload.shareWorkers(), group, topic);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workload.shareWorkers(); w++) {
      Driver.ShareWorker worker = driver.newShareWorker(group, topic); // joined before sending
      threads.add(Thread.ofPlatform().name("bench-share-worker-" + w).start(() -> consume(worker)));
    }
    return threads;
  }

  private void consume(Driver.Poller consumer) {
    try (consumer) {
      while (consuming.get()) {
        for (byte[] value : consumer.poll(Duration.ofMillis(100))) {
          long sentAt = ByteBuffer.wrap(value).getLong();
          endToEndLatency.recordNanos(System.nanoTime() - sentAt);
          consumed.incrementAndGet();
          Thread waiter = serialWaiter;
          if (waiter != null) {
            LockSupport.unpark(waiter);
          }
        }
      }
    }
  }

  private void runTimed(long startNanos) throws InterruptedException {
    long warmupEnd = startNanos + workload.warmup().toNanos();
    long end = warmupEnd + workload.duration().toNanos();
    if (workload.warmup().isZero()) {
      // Nothing to discard: count from the first message (the reset below would drop second 0).
      cpuAtStart = cpuSeconds();
      measuring.set(true);
    }
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < workload.producers(); p++) {
      producers.add(Thread.ofPlatform().name("bench-producer-" + p).start(this::produce));
    }
    long second = 0;
    while (System.nanoTime() < end) {
      long nextReport = startNanos + (++second) * 1_000_000_000L;
      LockSupport.parkNanos(nextReport - System.nanoTime());
      boolean wasMeasuring = measuring.get();
      sampleRss();
      if (!wasMeasuring && System.nanoTime() >= warmupEnd) {
        cpuAtStart = cpuSeconds();
        measuring.set(true);
        acked.set(0);
        ackedBytes.set(0);
        consumed.set(0);
        errors.set(0);
        errorsByType.clear();
        lastError = "";
      }
      report(second, wasMeasuring);
    }
    producing.set(false);
    for (Thread producer : producers) {
      producer.join();
    }
    report(second + 1, true);
  }

  private long lastAcked;
  private long lastConsumed;

  private void report(long second, boolean counting) {
    Histogram publish = publishLatency.sampleInterval(counting);
    Histogram e2e = endToEndLatency.sampleInterval(counting);
    long ackedNow = acked.get();
    long consumedNow = consumed.get();
    long ackRate = Math.max(0, ackedNow - lastAcked);
    long consumeRate = Math.max(0, consumedNow - lastConsumed);
    lastAcked = ackedNow;
    lastConsumed = consumedNow;
    progress.printf(
        "[%s %4ds]%s publish %,9d msg/s %7.1f MB/s p99 %7.2f ms | %s %,9d msg/s e2e p99"
            + " %7.2f ms | errors %d%s%n",
        system,
        second,
        counting ? "" : " (warm-up)",
        ackRate,
        ackRate * (double) workload.messageSizeBytes() / 1e6,
        publish.getValueAtPercentile(99) / 1000.0,
        workload.shareWorkers() > 0 ? "accept " : "consume",
        consumeRate,
        e2e.getValueAtPercentile(99) / 1000.0,
        errors.get(),
        brokers.isEmpty() ? "" : String.format(" | broker RSS max %.0f MiB", maxRssMiB));
  }

  private void produce() {
    double perProducerRate = workload.ratePerSec() / (double) workload.producers();
    long intervalNanos = perProducerRate > 0 ? (long) (1e9 / perProducerRate) : 0;
    try (Driver.Producer producer = driver.newProducer(workload)) {
      long next = System.nanoTime();
      while (producing.get()) {
        if (intervalNanos > 0) {
          LockSupport.parkNanos(next - System.nanoTime());
        } else {
          next = System.nanoTime();
        }
        send(producer, next);
        next += intervalNanos;
      }
      producer.flush();
    }
  }

  private void send(Driver.Producer producer, long intendedNanos) {
    byte[] value = payload(intendedNanos);
    producer.send(
        topic,
        null,
        value,
        error -> {
          if (error != null) {
            countError(error);
            return;
          }
          publishLatency.recordNanos(System.nanoTime() - intendedNanos);
          acked.incrementAndGet();
          ackedBytes.addAndGet(value.length);
        });
  }

  private void countError(Throwable error) {
    errors.incrementAndGet();
    errorsByType
        .computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicLong())
        .incrementAndGet();
    lastError = error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  private byte[] payload(long sendNanos) {
    int size = workload.messageSizeBytes();
    int from = ThreadLocalRandom.current().nextInt(randomPool.length - size + 1);
    byte[] value = Arrays.copyOfRange(randomPool, from, from + size);
    ByteBuffer.wrap(value).putLong(sendNanos);
    return value;
  }

  /** One message at a time: the next is sent only after a consumer has received the last. */
  private void runSerial() {
    serialWaiter = Thread.currentThread();
    try (Driver.Producer producer = driver.newProducer(workload)) {
      for (int i = 0; i < workload.serialMessages(); i++) {
        long before = consumed.get();
        long sendNanos = System.nanoTime();
        try {
          CompletableFuture<Void> ack = new CompletableFuture<>();
          producer.send(
              topic,
              0,
              payload(sendNanos),
              e -> {
                if (e == null) {
                  ack.complete(null);
                } else {
                  ack.completeExceptionally(e);
                }
              });
          ack.get();
        } catch (ExecutionException e) {
          countError(e.getCause());
          continue;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        publishLatency.recordNanos(System.nanoTime() - sendNanos);
        acked.incrementAndGet();
        ackedBytes.addAndGet(workload.messageSizeBytes());
        long deadline = System.nanoTime() + CATCH_UP_MAX.toNanos();
        long remaining;
        while (consumed.get() == before && (remaining = deadline - System.nanoTime()) > 0) {
          LockSupport.parkNanos(remaining);
        }
        if ((i + 1) % 1000 == 0) {
          progress.printf("[serial] %d/%d messages%n", i + 1, workload.serialMessages());
        }
      }
    }
  }

  private void awaitConsumersCaughtUp() {
    if (workload.consumers() == 0 && workload.shareWorkers() == 0) {
      return;
    }
    long deadline = System.nanoTime() + CATCH_UP_MAX.toNanos();
    while (consumed.get() < acked.get() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  /**
   * Reads the topic from the beginning to its end; returns {msg/s, MB/s}. The clock starts after
   * the offsets are resolved, so connection set-up is not counted (like Kafka's fetch.nMsg.sec).
   */
  /** This JVM's CPU time: during a drain, the consumer's (and the idle producers') share. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Reads the whole topic from the start twice with one consumer and times each pass. The first
   * pass is cold: the read path of the consumer and of the brokers has not run yet (publishing does
   * not fetch), and on a 2-core machine the JIT compiling it took about a third of the CPU of a
   * 5-second drain (per-thread CPU from /proc, docs/benchmarks.md). The second pass is the
   * steady-state figure, warm like every other workload's measured phase.
   */
  private BenchResult.Drain drain(List<Integer> partitions) {
    try (Driver.Reader consumer = driver.newReader(workload)) {
      Pass cold = drainPass(consumer, partitions, "cold");
      Pass warm = drainPass(consumer, partitions, "warm");
      return new BenchResult.Drain(
          warm.msgPerSec(), warm.mbPerSec(), cold.msgPerSec(), warm.brokerCpu(), warm.clientCpu());
    }
  }

  private record Pass(double msgPerSec, double mbPerSec, double brokerCpu, double clientCpu) {}

  private Pass drainPass(Driver.Reader consumer, List<Integer> partitions, String label) {
    long read = 0;
    long bytes = 0;
    long total = consumer.assignFromBeginning(topic, partitions);
    progress.printf("[drain] %s pass: reading %,d messages from the beginning%n", label, total);
    double brokerCpuStart = cpuSeconds();
    long clientCpuStart = processCpuNanos();
    long start = System.nanoTime();
    long deadline = start + Duration.ofMinutes(5).toNanos();
    while (read < total && System.nanoTime() < deadline) {
      for (byte[] value : consumer.poll(Duration.ofMillis(200))) {
        read++;
        bytes += value.length;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double perMillion = read == 0 ? 0 : 1e6 / read;
    double brokerCpu = brokers.isEmpty() ? -1 : (cpuSeconds() - brokerCpuStart) * perMillion;
    double clientCpu = (processCpuNanos() - clientCpuStart) / 1e9 * perMillion;
    return new Pass(read / seconds, bytes / seconds / 1e6, brokerCpu, clientCpu);
  }
}
