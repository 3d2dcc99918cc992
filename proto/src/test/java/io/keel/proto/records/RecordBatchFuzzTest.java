package io.keel.proto.records;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random truncations and mutations of valid batches, with and without a fixed-up CRC (so the record
 * parser and the decompressors see the garbage too). Decoding must either succeed or throw
 * CorruptRecordBatchException: never another exception, never an OutOfMemoryError.
 */
class RecordBatchFuzzTest {
  private static final int ITERATIONS = Integer.getInteger("keel.fuzz.iterations", 3000);
  private static final RecordBatchLimits LIMITS = new RecordBatchLimits(1 << 20, 4 << 20);

  @Test
  void malformedBatchesOnlyEverThrowCorruptRecordBatchException() {
    long seed = Long.getLong("keel.fuzz.seed", System.nanoTime());
    System.out.printf(
        "RecordBatchFuzzTest seed=%d; replay: ./mvnw -B -o -pl proto test"
            + " -Dtest=RecordBatchFuzzTest -Dkeel.fuzz.seed=%d%n",
        seed, seed);
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] valid = randomBatch(random);
      byte[] mutated = mutate(random, valid);
      if (random.nextBoolean() && mutated.length >= RecordBatch.HEADER_BYTES) {
        Fuzz.fixCrc(mutated);
      }
      try {
        RecordBatch.decode(mutated, LIMITS).records();
        outcomes.merge("accepted", 1, Integer::sum);
      } catch (CorruptRecordBatchException expected) {
        outcomes.merge(kind(expected.getMessage()), 1, Integer::sum);
      } catch (Throwable t) {
        fail("seed " + seed + " iteration " + i + ": " + t + " for " + Arrays.toString(mutated), t);
      }
    }
    System.out.println("RecordBatchFuzzTest outcomes: " + outcomes);
    // The fuzzer must reach past the CRC into the decompressors and the record parser.
    assertTrue(outcomes.containsKey("record"), outcomes::toString);
    assertTrue(outcomes.containsKey("records"), outcomes::toString);
  }

  /** The failing field: the text before the first colon, e.g. "crc" or "record 3 of 5". */
  private static String kind(String message) {
    String field = message.substring(0, Math.max(0, message.indexOf(':')));
    return field.startsWith("record ") ? "record" : field;
  }

  private static byte[] randomBatch(SplittableRandom random) {
    CompressionType codec =
        CompressionType.values()[random.nextInt(CompressionType.values().length)];
    RecordBatchBuilder builder = new RecordBatchBuilder(codec, LIMITS);
    if (random.nextBoolean()) {
      builder.producer(random.nextLong(0, Long.MAX_VALUE), (short) random.nextInt(100), 0);
    }
    int count = 1 + random.nextInt(8);
    for (int r = 0; r < count; r++) {
      List<Header> headers = new ArrayList<>();
      for (int h = random.nextInt(3); h > 0; h--) {
        headers.add(new Header("h" + h, random.nextBoolean() ? null : randomBytes(random, 8)));
      }
      builder.append(
          random.nextLong(-1000, 1000),
          random.nextInt(4) == 0 ? null : randomBytes(random, 16),
          random.nextInt(8) == 0 ? null : randomBytes(random, 64),
          headers);
    }
    return builder.build();
  }

  private static byte[] mutate(SplittableRandom random, byte[] valid) {
    byte[] out = valid.clone();
    switch (random.nextInt(4)) {
      case 0 -> out = Arrays.copyOf(valid, random.nextInt(valid.length));
      case 1 -> {
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
      }
      case 2 -> {
        // Keep the header self-consistent so the records section itself gets parsed.
        int at = RecordBatch.HEADER_BYTES + random.nextInt(out.length - RecordBatch.HEADER_BYTES);
        out[at] = (byte) random.nextInt(256);
      }
      default -> {
        int at = RecordBatch.HEADER_BYTES + random.nextInt(out.length - RecordBatch.HEADER_BYTES);
        out = Arrays.copyOf(out, at);
        ByteBuffer.wrap(out).putInt(RecordBatch.LENGTH_OFFSET, out.length);
      }
    }
    return out;
  }

  private static byte[] randomBytes(SplittableRandom random, int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }
}
