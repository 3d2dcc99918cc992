package io.keel.bench;

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
import io.keel.client.share.AcknowledgeType;
import io.keel.client.share.KeelShareConsumer;
import io.keel.client.share.KeelShareConsumerConfig;
import io.keel.client.share.ShareAcknowledgementException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** {@link Driver} for Keel, through the Java client. */
public final class KeelDriver implements Driver {
  private final String[] bootstrap;

  public KeelDriver(String[] bootstrap) {
    this.bootstrap = bootstrap;
  }

  @Override
  public void createTopic(String topic, int partitions, int replicationFactor) {
    try (KeelAdmin admin = new KeelAdmin(KeelAdminConfig.builder().bootstrap(bootstrap).build())) {
      try {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)))
            .all()
            .join();
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  @Override
  public Producer newProducer(Workload workload) {
    KeelProducerConfig config =
        KeelProducerConfig.builder()
            .bootstrap(bootstrap)
            .acks(Acks.parse(workload.acks()))
            .lingerMs(workload.lingerMs())
            .batchSizeBytes(workload.batchSizeBytes())
            .compression(CompressionType.parse(workload.compression()))
            .build();
    KeelProducer<byte[], byte[]> producer =
        new KeelProducer<>(config, Serdes.bytesSerializer(), Serdes.bytesSerializer());
    return new Producer() {
      @Override
      public void send(String topic, Integer partition, byte[] value, Consumer<Throwable> done) {
        producer
            .send(new ProducerRecord<>(topic, partition, null, value))
            .whenComplete((meta, error) -> done.accept(unwrap(error)));
      }

      @Override
      public void flush() {
        producer.flush();
      }

      @Override
      public void close() {
        producer.close();
      }
    };
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  @Override
  public Reader newReader(Workload workload) {
    KeelConsumer<byte[], byte[]> consumer =
        new KeelConsumer<>(
            KeelConsumerConfig.builder().bootstrap(bootstrap).build(),
            Serdes.bytesDeserializer(),
            Serdes.bytesDeserializer());
    return new Reader() {
      @Override
      public void assignAtEnd(String topic, List<Integer> partitions) {
        List<TopicPartition> tps = partitions(topic, partitions);
        consumer.assign(tps);
        consumer.seekToEnd(tps);
        tps.forEach(consumer::position);
      }

      @Override
      public long assignFromBeginning(String topic, List<Integer> partitions) {
        // Offsets from each partition's leader (the consumer's positions): a DescribeTopics
        // answer carries high watermarks only for the partitions the answering node leads.
        List<TopicPartition> tps = partitions(topic, partitions);
        consumer.assign(tps);
        consumer.seekToEnd(tps);
        long total = tps.stream().mapToLong(consumer::position).sum();
        consumer.seekToBeginning(tps);
        return total - tps.stream().mapToLong(consumer::position).sum();
      }

      @Override
      public List<byte[]> poll(Duration timeout) {
        List<byte[]> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
          values.add(r.value());
        }
        return values;
      }

      @Override
      public void close() {
        consumer.close();
      }
    };
  }

  @Override
  public ShareWorker newShareWorker(String group, String topic) {
    KeelShareConsumer<byte[], byte[]> worker =
        new KeelShareConsumer<>(
            KeelShareConsumerConfig.of(
                Map.of(
                    "bootstrap.servers",
                    String.join(",", bootstrap),
                    "group.id",
                    group,
                    "share.acknowledgement.mode",
                    "explicit")),
            Serdes.bytesDeserializer(),
            Serdes.bytesDeserializer());
    worker.subscribe(List.of(topic));
    return new ShareWorker() {
      @Override
      public List<byte[]> poll(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> acquired = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : worker.poll(timeout)) {
          worker.acknowledge(r, AcknowledgeType.ACCEPT);
          acquired.add(r);
        }
        try {
          worker.commitSync();
        } catch (ShareAcknowledgementException e) {
          // Refused accepts (an expired lock: the record goes to another worker) do not count.
          acquired.removeIf(
              r -> e.failures().getOrDefault(r.topicPartition(), Map.of()).containsKey(r.offset()));
        }
        return acquired.stream().map(ConsumerRecord::value).toList();
      }

      @Override
      public void close() {
        worker.close();
      }
    };
  }

  private static List<TopicPartition> partitions(String topic, List<Integer> partitions) {
    return partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
  }

  @Override
  public void close() {}
}
