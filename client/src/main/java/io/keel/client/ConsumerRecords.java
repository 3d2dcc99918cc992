package io.keel.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The records one poll returned, grouped by partition, each partition in offset order. */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
  private final Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition;

  public ConsumerRecords(Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition) {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> copy = new LinkedHashMap<>();
    byPartition.forEach((tp, records) -> copy.put(tp, List.copyOf(records)));
    this.byPartition = java.util.Collections.unmodifiableMap(copy);
  }

  public static <K, V> ConsumerRecords<K, V> empty() {
    return new ConsumerRecords<>(Map.of());
  }

  public List<ConsumerRecord<K, V>> records(TopicPartition partition) {
    return byPartition.getOrDefault(partition, List.of());
  }

  public Set<TopicPartition> partitions() {
    return byPartition.keySet();
  }

  public int count() {
    return byPartition.values().stream().mapToInt(List::size).sum();
  }

  public boolean isEmpty() {
    return count() == 0;
  }

  public List<ConsumerRecord<K, V>> asList() {
    List<ConsumerRecord<K, V>> all = new ArrayList<>();
    byPartition.values().forEach(all::addAll);
    return all;
  }

  @Override
  public Iterator<ConsumerRecord<K, V>> iterator() {
    return asList().iterator();
  }
}
