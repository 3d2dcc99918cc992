package io.keel.client;

import io.keel.client.internal.BufferPool;
import io.keel.client.internal.ChannelFactory;
import io.keel.client.internal.ChannelPool;
import io.keel.client.internal.ClusterSnapshot;
import io.keel.client.internal.Compression;
import io.keel.client.internal.HostPort;
import io.keel.client.internal.MetadataManager;
import io.keel.client.internal.Partitioner;
import io.keel.client.internal.ProducerSettings;
import io.keel.client.internal.RecordAccumulator;
import io.keel.client.internal.RecordAccumulator.AppendResult;
import io.keel.client.internal.Sender;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends records to Keel. Thread-safe: share one producer between threads. Records are batched per
 * partition (batch.size, linger.ms), compressed, and sent by a background thread; {@link #send}
 * returns a future that completes once the broker acknowledged the record (acks) or the delivery
 * failed for good. With idempotence (the default) retries never duplicate or reorder a partition's
 * records.
 *
 * <p>Errors arrive through the future: {@link BufferExhaustedException} when buffer.memory stays
 * full for max.block.ms, {@link RecordTooLargeException}, {@link UnknownTopicException} once the
 * cluster has said for metadata.unknown.topic.timeout.ms that the topic does not exist, {@link
 * KeelTimeoutException} after delivery.timeout.ms, and broker errors with the broker's message.
 */
public final class KeelProducer<K, V> implements AutoCloseable {
  private static final int RECORD_OVERHEAD_BYTES = 41; // worst-case varints and attributes

  private final KeelProducerConfig config;
  // Named in the error of a send that waited out max.block.ms; built once, not per send.
  private final String maxBlockSetting;
  private final Serializer<K> keySerializer;
  private final Serializer<V> valueSerializer;
  private final ChannelPool channels;
  private final MetadataManager metadata;
  private final BufferPool pool;
  private final RecordAccumulator accumulator;
  private final Partitioner partitioner = new Partitioner();
  private final Sender sender;
  private final Thread senderThread;
  private volatile boolean closed;

  public KeelProducer(
      KeelProducerConfig config, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    this(config, keySerializer, valueSerializer, ChannelFactory.netty());
  }

  KeelProducer(
      KeelProducerConfig config,
      Serializer<K> keySerializer,
      Serializer<V> valueSerializer,
      ChannelFactory channelFactory) {
    this.config = config;
    this.maxBlockSetting = "max.block.ms=" + config.maxBlockMs();
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.channels = new ChannelPool(channelFactory);
    this.metadata =
        new MetadataManager(
            channels,
            config.bootstrapServers().stream().map(HostPort::parse).toList(),
            config.requestTimeoutMs(),
            config.metadataMaxAgeMs());
    this.pool = new BufferPool(config.bufferMemoryBytes());
    int maxBatch =
        Math.max(config.maxRequestSizeBytes(), RecordBatchLimits.DEFAULT_MAX_BATCH_BYTES);
    this.accumulator =
        new RecordAccumulator(
            config.batchSizeBytes(),
            Compression.toWire(config.compression()),
            new RecordBatchLimits(
                maxBatch, Math.max(maxBatch, RecordBatchLimits.DEFAULT_MAX_UNCOMPRESSED_BYTES)));
    this.sender = new Sender(settings(config), accumulator, metadata, channels, pool);
    String name =
        "keel-producer-sender" + (config.clientId().isEmpty() ? "" : "-" + config.clientId());
    this.senderThread = Thread.ofPlatform().name(name).daemon(true).start(sender);
  }

  private static ProducerSettings settings(KeelProducerConfig config) {
    return new ProducerSettings(
        switch (config.acks()) {
          case NONE -> 0;
          case LEADER -> 1;
          case ALL -> -1;
        },
        config.lingerMs(),
        config.deliveryTimeoutMs(),
        config.retryBackoffMs(),
        config.requestTimeoutMs(),
        config.maxInFlightPerPartition(),
        config.idempotence(),
        config.maxRequestSizeBytes());
  }

  /**
   * Queues a record and returns at once (or after waiting up to max.block.ms for metadata or buffer
   * space). Throws IllegalStateException if the producer is closed.
   */
  public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record) {
    if (closed) {
      throw new IllegalStateException("send() on a closed producer");
    }
    try {
      return doSend(record);
    } catch (KeelException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<RecordMetadata> doSend(ProducerRecord<K, V> record) {
    KeelException fatal = sender.fatalError();
    if (fatal != null) {
      throw fatal;
    }
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
    ClusterSnapshot snapshot =
        metadata.awaitTopic(
            record.topic(),
            deadlineNanos,
            config.retryBackoffMs(),
            config.unknownTopicTimeoutMs(),
            maxBlockSetting);
    byte[] key = serialize(keySerializer, record.topic(), record.key(), "key");
    byte[] value = serialize(valueSerializer, record.topic(), record.value(), "value");
    int partitions = snapshot.partitionCount(record.topic());
    int partition = choosePartition(record, key, partitions);
    List<io.keel.proto.records.Header> headers = toWire(record.headers());
    int size = estimateSize(key, value, headers);
    checkSize(size);
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    pool.acquire(size, Math.max(0, remainingMs), config.maxBlockMs());
    long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
    AppendResult result;
    try {
      result =
          accumulator.append(
              new TopicPartition(record.topic(), partition),
              timestamp,
              key,
              value,
              headers,
              size,
              System.currentTimeMillis());
    } catch (RuntimeException e) {
      pool.release(size);
      throw e;
    }
    if (record.partition() == null && key == null && result.batchFull()) {
      partitioner.onBatchFull(record.topic(), partition, partitions);
    }
    if (result.newBatch() || result.batchFull()) {
      sender.wakeup();
    }
    return result.future();
  }

  private int choosePartition(ProducerRecord<K, V> record, byte[] key, int partitions) {
    if (record.partition() != null) {
      if (record.partition() >= partitions) {
        throw new UnknownTopicException(
            "partition "
                + record.partition()
                + " of topic '"
                + record.topic()
                + "' does not exist; the topic has "
                + partitions
                + " partitions");
      }
      return record.partition();
    }
    return key != null
        ? Partitioner.forKey(key, partitions)
        : partitioner.forKeyless(record.topic(), partitions);
  }

  private void checkSize(int size) {
    if (size > config.maxRequestSizeBytes()) {
      throw new RecordTooLargeException(
          "record of "
              + size
              + " bytes (serialized, with batch overhead) exceeds max.request.size="
              + config.maxRequestSizeBytes());
    }
    if (size > config.bufferMemoryBytes()) {
      throw new RecordTooLargeException(
          "record of " + size + " bytes exceeds buffer.memory=" + config.bufferMemoryBytes());
    }
  }

  private static <T> byte[] serialize(Serializer<T> serializer, String topic, T data, String what) {
    try {
      return serializer.serialize(topic, data);
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException("cannot serialize " + what + " for topic " + topic, e);
    }
  }

  private static List<io.keel.proto.records.Header> toWire(List<Header> headers) {
    List<io.keel.proto.records.Header> wire = new ArrayList<>(headers.size());
    for (Header h : headers) {
      wire.add(new io.keel.proto.records.Header(h.key(), h.value()));
    }
    return wire;
  }

  /** Upper bound of the record's encoded size, plus the batch header. */
  static int estimateSize(byte[] key, byte[] value, List<io.keel.proto.records.Header> headers) {
    long size = RecordBatch.HEADER_BYTES + RECORD_OVERHEAD_BYTES;
    size += key == null ? 0 : key.length;
    size += value == null ? 0 : value.length;
    for (io.keel.proto.records.Header h : headers) {
      size += 10 + h.key().getBytes(StandardCharsets.UTF_8).length;
      size += h.value() == null ? 0 : h.value().length;
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** Sends everything queued now, without lingering, and waits until each record completed. */
  public void flush() {
    sender.beginDrain();
    try {
      for (var batch : accumulator.incomplete()) {
        batch.done().join();
      }
    } finally {
      sender.endDrain();
    }
  }

  /** Flushes, waiting at most {@code timeout}; records still unsent then fail. */
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    sender.beginDrain();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (var batch : accumulator.incomplete()) {
        batch.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      // Unsent records fail below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sender.stop();
      pool.close();
      joinSender();
      channels.close();
    }
  }

  private void joinSender() {
    try {
      senderThread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofMillis(config.deliveryTimeoutMs()));
  }
}
