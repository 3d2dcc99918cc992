package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.keel.proto.records.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  /** Values of Kafka's Utils.murmur2 (its UtilsTest.testMurmur2 vectors). */
  private static final Map<String, Integer> KAFKA_MURMUR2 =
      Map.of(
          "21", -973932308,
          "foobar", -790332482,
          "a-little-bit-long-string", -985981536,
          "a-little-bit-longer-string", -1486304829,
          "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971,
          "abc", 479470107);

  @Test
  void murmur2MatchesKafka() {
    KAFKA_MURMUR2.forEach(
        (key, hash) ->
            assertEquals(hash, KeyHash.murmur2(key.getBytes(StandardCharsets.UTF_8)), key));
  }

  @Test
  void keysMapToTheSamePartitionsAsKafka() {
    // toPositive(murmur2(key)) % n, computed from Kafka's hash values above.
    assertEquals((-973932308 & 0x7fffffff) % 3, Partitioner.forKey(bytes("21"), 3));
    assertEquals(1357151166 % 12, Partitioner.forKey(bytes("foobar"), 12));
    assertEquals(479470107 % 10, Partitioner.forKey(bytes("abc"), 10));
    assertEquals(7, Partitioner.forKey(bytes("abc"), 10));
    assertEquals(0, Partitioner.forKey(bytes("foobar"), 1));
  }

  @Test
  void stickyPartitionMovesOnlyWhenItsBatchFills() {
    Partitioner p = new Partitioner();
    int first = p.forKeyless("t", 4);
    assertEquals(first, p.forKeyless("t", 4));
    p.onBatchFull("t", (first + 1) % 4, 4);
    assertEquals(first, p.forKeyless("t", 4), "another partition filling changes nothing");
    p.onBatchFull("t", first, 4);
    assertNotEquals(first, p.forKeyless("t", 4));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
