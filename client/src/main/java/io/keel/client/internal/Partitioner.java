package io.keel.client.internal;

import io.keel.proto.records.KeyHash;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses partitions like Kafka's default partitioner: murmur2 of the serialized key for keyed
 * records (so a key maps to the same partition as in Kafka), and a sticky partition for keyless
 * records that changes only when its batch fills, so keyless records form full batches.
 */
public final class Partitioner {
  private final Map<String, Integer> sticky = new ConcurrentHashMap<>();

  /** Kafka's {@code Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions}. */
  public static int forKey(byte[] keyBytes, int numPartitions) {
    return KeyHash.partitionOf(keyBytes, numPartitions);
  }

  public int forKeyless(String topic, int numPartitions) {
    Integer current = sticky.get(topic);
    if (current != null && current < numPartitions) {
      return current;
    }
    return sticky.compute(
        topic,
        (t, prev) ->
            prev != null && prev < numPartitions
                ? prev
                : ThreadLocalRandom.current().nextInt(numPartitions));
  }

  /** The keyless batch on {@code fullPartition} filled: move the topic's sticky partition on. */
  public void onBatchFull(String topic, int fullPartition, int numPartitions) {
    if (numPartitions <= 1) {
      return;
    }
    sticky.computeIfPresent(
        topic,
        (t, prev) -> {
          if (prev != fullPartition) {
            return prev;
          }
          int next = ThreadLocalRandom.current().nextInt(numPartitions - 1);
          return next >= fullPartition ? next + 1 : next;
        });
  }
}
