package io.keel.cli.bench;

import io.keel.client.Acks;
import io.keel.client.CompressionType;
import io.keel.client.ConsumerRecord;
import io.keel.client.KeelAdmin;
import io.keel.client.KeelAdminConfig;
import io.keel.client.KeelConsumer;
import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelProducer;
import io.keel.client.KeelProducerConfig;
import io.keel.client.NewTopic;
import io.keel.client.ProducerRecord;
import io.keel.client.Serdes;
import io.keel.client.TopicExistsException;
import io.keel.client.TopicPartition;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * Runs a {@link Workload} against a cluster: producers (at a fixed rate, latency measured from each
 * message's intended send time so a stall is not hidden by coordinated omission, or at max rate),
 * consumers measuring end-to-end latency from the send time each message carries, a progress line
 * per second, then an optional drain of the whole topic.
 */
public final class BenchRunner {
  private static final Duration CATCH_UP_MAX = Duration.ofSeconds(10);
  private static final int RANDOM_POOL_MIN_BYTES = 4 << 20;

  private final Workload workload;
  private final String[] bootstrap;
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
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicBoolean measuring = new AtomicBoolean();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  // The --serial sender, woken by a consumer per record instead of spinning (a spinning thread
  // takes a core from the brokers on small machines).
  private volatile Thread serialWaiter;

  public BenchRunner(Workload workload, String[] bootstrap, PrintStream progress) {
    this.workload = workload;
    this.bootstrap = bootstrap;
    this.progress = progress;
    this.randomPool = new byte[Math.max(RANDOM_POOL_MIN_BYTES, 8 * workload.messageSizeBytes())];
    ThreadLocalRandom.current().nextBytes(randomPool);
  }

  public BenchResult run() throws InterruptedException {
    List<TopicPartition> partitions = createTopic();
    List<Thread> consumers = startConsumers(partitions);
    long startNanos = System.nanoTime();
    if (workload.serialMessages() > 0) {
      measuring.set(true);
      runSerial();
    } else {
      runTimed(startNanos);
    }
    long warmupNanos = workload.serialMessages() > 0 ? 0 : workload.warmup().toNanos();
    long measuredNanos = System.nanoTime() - startNanos - warmupNanos;
    awaitConsumersCaughtUp();
    consuming.set(false);
    for (Thread consumer : consumers) {
      consumer.join();
    }
    // Latencies recorded since the last progress line (in --serial mode: all) join the totals.
    publishLatency.sampleInterval(measuring.get());
    endToEndLatency.sampleInterval(measuring.get());
    double seconds = Math.max(1e-9, measuredNanos / 1e9);
    double[] drain = workload.drain() ? drain(partitions) : new double[] {0, 0};
    return new BenchResult(
        workload,
        acked.get(),
        errors.get(),
        acked.get() / seconds,
        ackedBytes.get() / seconds / 1e6,
        publishLatency.total(),
        consumed.get(),
        consumed.get() / seconds,
        endToEndLatency.total(),
        drain[0],
        drain[1]);
  }

  private List<TopicPartition> createTopic() {
    try (KeelAdmin admin = admin()) {
      try {
        admin
            .createTopics(
                List.of(
                    new NewTopic(
                        workload.topic(), workload.partitions(), workload.replicationFactor())))
            .all()
            .join();
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      return IntStream.range(0, workload.partitions())
          .mapToObj(p -> new TopicPartition(workload.topic(), p))
          .toList();
    }
  }

  private KeelAdmin admin() {
    return new KeelAdmin(KeelAdminConfig.builder().bootstrap(bootstrap).build());
  }

  private KeelProducer<byte[], byte[]> newProducer() {
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(bootstrap)
            .acks(Acks.parse(workload.acks()))
            .lingerMs(workload.lingerMs())
            .batchSizeBytes(workload.batchSizeBytes())
            .compression(CompressionType.parse(workload.compression()))
            .build();
    return new KeelProducer<>(config, Serdes.bytesSerializer(), Serdes.bytesSerializer());
  }

  private KeelConsumer<byte[], byte[]> newConsumer() {
    KeelConsumerConfig config = KeelConsumerConfig.builder().bootstrap(bootstrap).build();
    return new KeelConsumer<>(config, Serdes.bytesDeserializer(), Serdes.bytesDeserializer());
  }

  private List<Thread> startConsumers(List<TopicPartition> partitions) {
    List<Thread> threads = new ArrayList<>();
    int count = Math.min(workload.consumers(), partitions.size());
    for (int c = 0; c < count; c++) {
      List<TopicPartition> mine = new ArrayList<>();
      for (int p = c; p < partitions.size(); p += count) {
        mine.add(partitions.get(p));
      }
      KeelConsumer<byte[], byte[]> consumer = newConsumer();
      consumer.assign(mine);
      consumer.seekToEnd(mine);
      mine.forEach(consumer::position); // resolve "end" before the first message is sent
      Thread thread =
          Thread.ofPlatform().name("bench-consumer-" + c).start(() -> consume(consumer));
      threads.add(thread);
    }
    return threads;
  }

  private void consume(KeelConsumer<byte[], byte[]> consumer) {
    try (consumer) {
      while (consuming.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          long sentAt = ByteBuffer.wrap(record.value()).getLong();
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
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < workload.producers(); p++) {
      producers.add(Thread.ofPlatform().name("bench-producer-" + p).start(this::produce));
    }
    long second = 0;
    while (System.nanoTime() < end) {
      long nextReport = startNanos + (++second) * 1_000_000_000L;
      LockSupport.parkNanos(nextReport - System.nanoTime());
      boolean wasMeasuring = measuring.get();
      if (!wasMeasuring && System.nanoTime() >= warmupEnd) {
        measuring.set(true);
        acked.set(0);
        ackedBytes.set(0);
        consumed.set(0);
        errors.set(0);
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
        "[%4ds]%s publish %,9d msg/s %7.1f MB/s p99 %7.2f ms | consume %,9d msg/s e2e p99 %7.2f ms%n",
        second,
        counting ? "" : " (warm-up)",
        ackRate,
        ackRate * (double) workload.messageSizeBytes() / 1e6,
        publish.getValueAtPercentile(99) / 1000.0,
        consumeRate,
        e2e.getValueAtPercentile(99) / 1000.0);
  }

  private void produce() {
    double perProducerRate = workload.ratePerSec() / (double) workload.producers();
    long intervalNanos = perProducerRate > 0 ? (long) (1e9 / perProducerRate) : 0;
    try (KeelProducer<byte[], byte[]> producer = newProducer()) {
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

  private void send(KeelProducer<byte[], byte[]> producer, long intendedNanos) {
    byte[] value = payload(intendedNanos);
    producer
        .send(new ProducerRecord<>(workload.topic(), null, value))
        .whenComplete(
            (meta, error) -> {
              if (error != null) {
                errors.incrementAndGet();
                return;
              }
              publishLatency.recordNanos(System.nanoTime() - intendedNanos);
              acked.incrementAndGet();
              ackedBytes.addAndGet(value.length);
            });
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
    try (KeelProducer<byte[], byte[]> producer = newProducer()) {
      for (int i = 0; i < workload.serialMessages(); i++) {
        long before = consumed.get();
        long sendNanos = System.nanoTime();
        try {
          producer.send(new ProducerRecord<>(workload.topic(), 0, null, payload(sendNanos))).get();
        } catch (ExecutionException e) {
          errors.incrementAndGet();
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
    if (workload.consumers() == 0) {
      return;
    }
    long deadline = System.nanoTime() + CATCH_UP_MAX.toNanos();
    while (consumed.get() < acked.get() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  /**
   * Reads the topic from the beginning to its end; returns {msg/s, MB/s}. The offsets come from
   * each partition's leader (the consumer's positions): a DescribeTopics answer carries high
   * watermarks only for the partitions the answering node leads. The clock starts after they are
   * resolved, so connection set-up is not counted (like Kafka's fetch.nMsg.sec).
   */
  private double[] drain(List<TopicPartition> partitions) {
    long read = 0;
    long bytes = 0;
    try (KeelConsumer<byte[], byte[]> consumer = newConsumer()) {
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      long total = partitions.stream().mapToLong(consumer::position).sum();
      consumer.seekToBeginning(partitions);
      total -= partitions.stream().mapToLong(consumer::position).sum();
      progress.printf("[drain] reading %,d messages from the beginning%n", total);
      long start = System.nanoTime();
      long deadline = start + Duration.ofMinutes(5).toNanos();
      while (read < total && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read++;
          bytes += record.value().length;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new double[] {read / seconds, bytes / seconds / 1e6};
    }
  }
}
