package io.keel.client.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.broker.testing.TestCluster;
import io.keel.client.AutoOffsetReset;
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
import io.keel.client.StorageFullException;
import io.keel.client.TopicPartition;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole broker on a 256 MiB tmpfs pushed below {@code storage.min.free.bytes}: a producer's send
 * fails with {@link StorageFullException} (the cause of its delivery timeout) within about a
 * second, a consumer still reads everything written before, the node stays up and ready, and sends
 * succeed again once the space is freed. Needs root to mount the tmpfs; skipped otherwise.
 */
@Timeout(120)
class BrokerDiskFullTest {
  private static final long MIN_FREE_BYTES = 64L << 20;
  private static final String TOPIC = "full";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private Path disk;
  private boolean mounted;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    disk = tmp.resolve("disk");
    Files.createDirectories(disk);
    mounted = run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", disk.toString());
    assumeTrue(mounted, "cannot mount a tmpfs here (needs root): broker full-disk test skipped");
    cluster =
        TestCluster.start(
            1,
            Map.of("storage.min.free.bytes", Long.toString(MIN_FREE_BYTES)),
            disk.resolve("cluster"));
    cluster.awaitReady(WAIT);
    try (KeelAdmin admin =
        new KeelAdmin(KeelAdminConfig.builder().bootstrap(cluster.bootstrap()).build())) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, 1))).all().join();
    }
    TestCluster.await(WAIT, () -> cluster.leaderOf(TOPIC, 0) != 0, () -> "no leader");
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (mounted) {
      assertTrue(run("umount", disk.toString()), "umount " + disk);
    }
  }

  @Test
  void producersGetStorageFullReadsGoOnAndWritesResume() throws Exception {
    try (KeelProducer<String, String> producer = producer()) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(TOPIC, 0, null, "v" + i)).get(10, TimeUnit.SECONDS);
      }
      Path ballast = disk.resolve("ballast");
      fill(ballast, Files.getFileStore(disk).getUsableSpace() - MIN_FREE_BYTES + (8L << 20));

      long start = System.nanoTime();
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(new ProducerRecord<>(TOPIC, 0, null, "x"))
                      .get(10, TimeUnit.SECONDS));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(hasCause(refused, StorageFullException.class), "not STORAGE_FULL: " + refused);
      // delivery.timeout.ms is 800 ms: the broker refused at once instead of hanging.
      assertTrue(seconds < 3, "STORAGE_FULL took " + seconds + " s");

      assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), readAll(5), "reads go on");
      assertTrue(cluster.node(1).isReady(), "the node stays ready with its disk full");
      assertFalse(cluster.node(1).fatalError().isDone(), "a full disk is not fatal");

      Files.delete(ballast);
      TestCluster.await(
          WAIT,
          () -> {
            try {
              producer.send(new ProducerRecord<>(TOPIC, 0, null, "after")).get(5, TimeUnit.SECONDS);
              return true;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
              return false;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          },
          () -> "sends did not resume after the space was freed");
    }
  }

  private KeelProducer<String, String> producer() {
    return new KeelProducer<>(
        KeelProducerConfig.builder()
            .bootstrap(cluster.bootstrap())
            .lingerMs(1)
            .retryBackoffMs(50)
            .requestTimeoutMs(500)
            .deliveryTimeoutMs(800)
            .build(),
        Serdes.stringSerializer(),
        Serdes.stringSerializer());
  }

  private List<String> readAll(int count) {
    List<String> out = new ArrayList<>();
    try (KeelConsumer<String, String> consumer =
        new KeelConsumer<>(
            KeelConsumerConfig.builder()
                .bootstrap(cluster.bootstrap())
                .autoOffsetReset(AutoOffsetReset.EARLIEST)
                .fetchMaxWaitMs(100)
                .build(),
            Serdes.stringDeserializer(),
            Serdes.stringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static void fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk);
      }
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
