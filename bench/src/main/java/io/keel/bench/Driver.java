package io.keel.bench;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the load generator needs of a messaging system: create a topic, send records, read them.
 * {@link BenchRunner} owns the workload, the clock and the histograms, so every system is measured
 * the same way (as the OpenMessaging Benchmark does with its drivers).
 */
public interface Driver extends AutoCloseable {
  /** Creates the topic (an existing one is kept) and waits until every partition has a leader. */
  void createTopic(String topic, int partitions, int replicationFactor);

  Producer newProducer(Workload workload);

  Reader newReader(Workload workload);

  /**
   * A member of share group {@code group} subscribed to {@code topic} (joined before this returns).
   */
  default ShareWorker newShareWorker(String group, String topic) {
    throw new UnsupportedOperationException(
        "--share: share groups are benchmarked on Keel only (the Kafka driver has none)");
  }

  @Override
  void close();

  /** A producer; thread-confined to its caller except the completion callbacks. */
  interface Producer extends AutoCloseable {
    /**
     * Sends one record ({@code partition} null: the system's partitioner); {@code done} gets null
     * or the error, on the system's I/O thread.
     */
    void send(String topic, Integer partition, byte[] value, Consumer<Throwable> done);

    void flush();

    @Override
    void close();
  }

  /** Something the runner's consumer threads poll for record values. */
  interface Poller extends AutoCloseable {
    /** The values of the next records, waiting at most {@code timeout}. */
    List<byte[]> poll(Duration timeout);

    @Override
    void close();
  }

  /** A consumer of assigned partitions, without a group. */
  interface Reader extends Poller {
    /** Assigns the partitions, positioned at their current end (resolved before this returns). */
    void assignAtEnd(String topic, List<Integer> partitions);

    /** Assigns the partitions from their beginning; returns how many records they hold. */
    long assignFromBeginning(String topic, List<Integer> partitions);
  }

  /**
   * A share-group member that accepts every record it acquires, one acknowledgement per record:
   * {@link #poll} returns the values whose ACCEPT the broker confirmed.
   */
  interface ShareWorker extends Poller {}
}
