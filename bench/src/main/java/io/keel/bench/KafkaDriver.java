package io.keel.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@link Driver} for Apache Kafka, through kafka-clients with its defaults except what the workload
 * sets (acks, linger, batch size, compression), the same settings the Keel driver gets. Topics get
 * min.insync.replicas 2 (with RF 3), as in the anchors' Kafka cluster.
 */
public final class KafkaDriver implements Driver {
  private final String bootstrap;

  public KafkaDriver(String[] bootstrap) {
    this.bootstrap = String.join(",", bootstrap);
  }

  @Override
  public void createTopic(String topic, int partitions, int replicationFactor) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      NewTopic newTopic =
          new NewTopic(topic, partitions, (short) replicationFactor)
              .configs(
                  Map.of("min.insync.replicas", Integer.toString(Math.min(2, replicationFactor))));
      try {
        admin.createTopics(List.of(newTopic)).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("creating " + topic + ": " + e.getCause(), e);
        }
      }
      admin.describeTopics(List.of(topic)).allTopicNames().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating " + topic, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("describing " + topic + ": " + e.getCause(), e);
    }
  }

  @Override
  public Producer newProducer(Workload workload) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, workload.acks());
    props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(workload.lingerMs()));
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(workload.batchSizeBytes()));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, workload.compression());
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    return new Producer() {
      @Override
      public void send(String topic, Integer partition, byte[] value, Consumer<Throwable> done) {
        producer.send(
            new ProducerRecord<>(topic, partition, null, value), (m, e) -> done.accept(e));
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

  @Override
  public Reader newReader(Workload workload) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
        List<TopicPartition> tps = partitions(topic, partitions);
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        long begin = consumer.beginningOffsets(tps).values().stream().mapToLong(l -> l).sum();
        long end = consumer.endOffsets(tps).values().stream().mapToLong(l -> l).sum();
        return end - begin;
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

  private static List<TopicPartition> partitions(String topic, List<Integer> partitions) {
    return partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
  }

  @Override
  public void close() {}
}
