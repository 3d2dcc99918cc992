package io.keel.proto.records;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordBatchTest {
  private static final long T0 = 1_700_000_000_000L;

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void roundTripsEveryCodec(CompressionType codec) {
    List<Header> headers = List.of(new Header("trace", bytes("abc")), new Header("ü-null", null));
    byte[] encoded =
        new RecordBatchBuilder(codec)
            .producer(42L, (short) 3, 100)
            .append(T0, bytes("k1"), bytes("v1"))
            .append(T0 - 5, null, bytes("no key"), headers)
            .append(T0 + 9, bytes("k3"), null)
            .append(T0 + 1, new byte[0], new byte[0])
            .build();

    RecordBatch batch = RecordBatch.decode(encoded);
    batch.verify();

    assertEquals(codec, batch.compression());
    assertEquals(4, batch.recordCount());
    assertEquals(3, batch.lastOffsetDelta());
    assertEquals(T0, batch.firstTimestamp());
    assertEquals(T0 + 9, batch.maxTimestamp());
    assertEquals(42L, batch.producerId());
    assertEquals(3, batch.producerEpoch());
    assertEquals(100, batch.baseSequence());
    assertEquals(
        List.of(
            new Record(0, T0, bytes("k1"), bytes("v1"), List.of()),
            new Record(1, T0 - 5, null, bytes("no key"), headers),
            new Record(2, T0 + 9, bytes("k3"), null, List.of()),
            new Record(3, T0 + 1, new byte[0], new byte[0], List.of())),
        batch.records());
  }

  @Test
  void sequencesWrapAtIntMax() {
    byte[] encoded =
        new RecordBatchBuilder(CompressionType.NONE)
            .producer(1L, (short) 0, Integer.MAX_VALUE - 1)
            .append(T0, null, bytes("a"))
            .append(T0, null, bytes("b"))
            .append(T0, null, bytes("c"))
            .build();

    // Sequences MAX-1, MAX, then 0.
    assertEquals(0, RecordBatch.decode(encoded).lastSequence());
  }

  @Test
  void batchWithoutProducerHasSentinels() {
    RecordBatch batch = RecordBatch.decode(oneRecord(CompressionType.NONE));
    batch.verify();

    assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
    assertEquals(RecordBatch.NO_PRODUCER_EPOCH, batch.producerEpoch());
    assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
    assertEquals(RecordBatch.NO_SEQUENCE, batch.lastSequence());
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void largeBatchRoundTrips(CompressionType codec) {
    SplittableRandom random = new SplittableRandom(7);
    RecordBatchBuilder builder =
        new RecordBatchBuilder(codec, new RecordBatchLimits(8 << 20, 8 << 20));
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] value = new byte[random.nextInt(200)];
      random.nextBytes(value);
      values.add(value);
      builder.append(T0 + i, bytes("key-" + i), value);
    }
    RecordBatch batch =
        RecordBatch.decode(builder.build(), new RecordBatchLimits(8 << 20, 8 << 20));

    List<Record> records = batch.records();
    assertEquals(20_000, records.size());
    for (int i = 0; i < records.size(); i++) {
      assertEquals(i, records.get(i).offset());
      assertArrayEquals(values.get(i), records.get(i).value());
    }
  }

  @Test
  void stampingBaseOffsetKeepsCrcAndShiftsOffsets() {
    byte[] encoded =
        new RecordBatchBuilder(CompressionType.LZ4)
            .append(T0, null, bytes("a"))
            .append(T0, null, bytes("b"))
            .build();
    int crcBefore = RecordBatch.decode(encoded).crc();

    byte[] stamped = RecordBatch.withBaseOffset(encoded, 1_000_000L);

    RecordBatch batch = RecordBatch.decode(stamped);
    batch.verify();
    assertEquals(crcBefore, batch.crc());
    assertEquals(1_000_000L, batch.baseOffset());
    assertEquals(1_000_001L, batch.lastOffset());
    assertEquals(
        List.of(1_000_000L, 1_000_001L), batch.records().stream().map(Record::offset).toList());
  }

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void decodesFromHeapSlicesAndDirectBuffersAlike(CompressionType codec) {
    byte[] encoded =
        new RecordBatchBuilder(codec)
            .append(T0, bytes("k1"), bytes("v".repeat(3000)))
            .append(T0 + 1, null, bytes("v2"), List.of(new Header("h", bytes("x"))))
            .build();
    List<Record> expected = RecordBatch.decode(encoded).records();
    byte[] padded = new byte[encoded.length + 7];
    System.arraycopy(encoded, 0, padded, 3, encoded.length);
    ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length + 10);
    direct.position(5);
    direct.put(encoded).flip().position(5);
    for (ByteBuffer shape : List.of(ByteBuffer.wrap(padded, 3, encoded.length), direct)) {
      RecordBatch batch = RecordBatch.decode(shape, RecordBatchLimits.DEFAULTS);
      assertEquals(encoded.length, batch.sizeInBytes(), "direct " + shape.isDirect());
      assertEquals(expected, batch.records(), "direct " + shape.isDirect());
    }
  }

  @Test
  void aFlippedByteInAnAliasedDirectBufferIsDetected() {
    byte[] encoded = oneRecord(CompressionType.NONE);
    ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length);
    direct.put(encoded).flip();
    direct.put(encoded.length - 2, (byte) (encoded[encoded.length - 2] ^ 0x10));
    RecordBatch batch = RecordBatch.decode(direct, RecordBatchLimits.DEFAULTS);
    CorruptRecordBatchException e = assertThrows(CorruptRecordBatchException.class, batch::records);
    assertTrue(e.getMessage().startsWith("crc: header says"), e.getMessage());
  }

  @Test
  void everyFlippedByteUnderCrcIsDetected() {
    byte[] encoded = oneRecord(CompressionType.NONE);
    for (int i = RecordBatch.ATTRIBUTES_OFFSET; i < encoded.length; i++) {
      byte[] copy = encoded.clone();
      copy[i] ^= 0x01;
      RecordBatch batch = RecordBatch.decode(copy);
      CorruptRecordBatchException e =
          assertThrows(CorruptRecordBatchException.class, batch::verify, "byte " + i);
      assertTrue(e.getMessage().startsWith("crc: header says"), e.getMessage());
    }
  }

  @Test
  void framingErrorsNameTheField() {
    byte[] encoded = oneRecord(CompressionType.NONE);

    assertMessage("batch: 10 bytes, shorter than header 57", () -> decode(new byte[10]));

    byte[] badMagic = encoded.clone();
    badMagic[0] = 2;
    assertMessage("magic: expected 1, got 2", () -> decode(badMagic));

    byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 1);
    assertMessage(
        "batchLength: header says " + encoded.length + ", buffer has " + (encoded.length - 1),
        () -> decode(truncated));

    assertMessage(
        "batch: " + encoded.length + " bytes > maxBatchBytes 60",
        () -> RecordBatch.decode(encoded, RecordBatchLimits.withMaxBatchBytes(60)));
  }

  @Test
  void headerInconsistencyWithValidCrcIsDetected() {
    byte[] encoded = oneRecord(CompressionType.NONE);
    java.nio.ByteBuffer.wrap(encoded).putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, 5);
    Fuzz.fixCrc(encoded);

    assertMessage(
        "lastOffsetDelta: expected recordCount - 1 = 0, got 5",
        () -> RecordBatch.decode(encoded).verify());
  }

  @Test
  void builderEnforcesLimits() {
    RecordBatchBuilder small =
        new RecordBatchBuilder(CompressionType.NONE, new RecordBatchLimits(100, 1000));
    small.append(T0, null, new byte[80]);
    RecordBatchTooLargeException tooBig =
        assertThrows(RecordBatchTooLargeException.class, small::build);
    assertEquals("maxBatchBytes", tooBig.limitName());
    assertEquals(100, tooBig.limitBytes());

    RecordBatchBuilder bounded =
        new RecordBatchBuilder(CompressionType.ZSTD, new RecordBatchLimits(1000, 100));
    bounded.append(T0, null, new byte[50]);
    RecordBatchTooLargeException full =
        assertThrows(
            RecordBatchTooLargeException.class, () -> bounded.append(T0, null, new byte[50]));
    assertEquals("maxUncompressedBytes", full.limitName());
    assertEquals(1, bounded.recordCount());
    assertEquals(1, RecordBatch.decode(bounded.build()).records().size());

    assertThrows(IllegalStateException.class, new RecordBatchBuilder(CompressionType.NONE)::build);
    assertThrows(
        IllegalArgumentException.class,
        () -> new RecordBatchBuilder(CompressionType.NONE).producer(-2, (short) 0, 0));
  }

  @Test
  void decompressionBombIsRefused() {
    byte[] encoded =
        new RecordBatchBuilder(CompressionType.ZSTD).append(T0, null, new byte[1 << 20]).build();
    RecordBatch batch = RecordBatch.decode(encoded, new RecordBatchLimits(1 << 20, 64 << 10));

    assertMessage("records: uncompressed size exceeds maxUncompressedBytes 65536", batch::records);
  }

  @Test
  void nullHeaderValueAndTombstoneSurvive() {
    byte[] encoded =
        new RecordBatchBuilder(CompressionType.SNAPPY)
            .append(T0, bytes("k"), null, List.of(new Header("h", null)))
            .build();
    Record record = RecordBatch.decode(encoded).records().get(0);

    assertNull(record.value());
    assertNull(record.headers().get(0).value());
  }

  private static RecordBatch decode(byte[] bytes) {
    return RecordBatch.decode(bytes);
  }

  private static byte[] oneRecord(CompressionType codec) {
    return new RecordBatchBuilder(codec).append(T0, bytes("key"), bytes("value")).build();
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
    assertEquals(expected, assertThrows(CorruptRecordBatchException.class, e).getMessage());
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
