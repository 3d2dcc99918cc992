package io.keel.proto.records;

/**
 * Kafka's default partition for a keyed record, {@code toPositive(murmur2(key)) % partitions}: one
 * implementation for the Java client and the broker's HTTP API, so a key lands on the same
 * partition whichever client sent it (and as it would in Kafka).
 */
public final class KeyHash {
  private KeyHash() {}

  /** The partition of {@code key} among {@code partitions}. */
  public static int partitionOf(byte[] key, int partitions) {
    return (murmur2(key) & 0x7fffffff) % partitions;
  }

  /** MurmurHash2 exactly as Kafka's {@code Utils.murmur2} (seed 0x9747b28c). */
  public static int murmur2(byte[] data) {
    final int m = 0x5bd1e995;
    int h = 0x9747b28c ^ data.length;
    int words = data.length / 4;
    for (int i = 0; i < words; i++) {
      int j = i * 4;
      int k =
          (data[j] & 0xff)
              | ((data[j + 1] & 0xff) << 8)
              | ((data[j + 2] & 0xff) << 16)
              | ((data[j + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> 24;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = words * 4;
    int rest = data.length - tail;
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
