package io.keel.client.internal;

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
    return toPositive(murmur2(keyBytes)) % numPartitions;
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

  public static int toPositive(int number) {
    return number & 0x7fffffff;
  }

  /** MurmurHash2 exactly as Kafka's {@code Utils.murmur2} (seed 0x9747b28c). */
  public static int murmur2(byte[] data) {
    int length = data.length;
    int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      final int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    int rest = length % 4;
    // Kafka's switch falls through from 3 to 2 to 1; the same without fall-through.
    if (rest == 3) {
      h ^= (data[tail + 2] & 0xff) << 16;
    }
    if (rest >= 2) {
      h ^= (data[tail + 1] & 0xff) << 8;
    }
    if (rest >= 1) {
      h ^= data[tail] & 0xff;
      h *= m;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}
