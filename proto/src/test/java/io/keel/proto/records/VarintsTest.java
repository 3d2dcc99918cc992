package io.keel.proto.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class VarintsTest {
  @Test
  void intsRoundTripWithExpectedSizes() {
    int[] values = {0, -1, 1, 63, -64, 64, -65, 8191, Integer.MAX_VALUE, Integer.MIN_VALUE};
    int[] sizes = {1, 1, 1, 1, 1, 2, 2, 2, 5, 5};
    for (int i = 0; i < values.length; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Varints.writeVarint(out, values[i]);
      assertEquals(sizes[i], out.size(), "size of " + values[i]);
      assertEquals(sizes[i], Varints.sizeOfVarint(values[i]));
      assertEquals(values[i], reader(out.toByteArray()).readVarint("v"));
    }
  }

  @Test
  void longsRoundTrip() {
    long[] values = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, -(1L << 40)};
    for (long value : values) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Varints.writeVarlong(out, value);
      assertEquals(Varints.sizeOfVarlong(value), out.size());
      assertEquals(value, reader(out.toByteArray()).readVarlong("v"));
    }
  }

  @Test
  void malformedVarintsAreCorrupt() {
    byte[] sixBytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0};
    assertEquals(
        "v: varint longer than 5 bytes",
        assertThrows(CorruptRecordBatchException.class, () -> reader(sixBytes).readVarint("v"))
            .getMessage());
    byte[] over32 = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
    assertThrows(CorruptRecordBatchException.class, () -> reader(over32).readVarint("v"));
    byte[] cut = {(byte) 0x80};
    assertEquals(
        "v: needs 1 bytes but only 0 remain",
        assertThrows(CorruptRecordBatchException.class, () -> reader(cut).readVarint("v"))
            .getMessage());
  }

  @Test
  void hugeLengthIsRefusedBeforeAllocating() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Varints.writeVarint(out, Integer.MAX_VALUE);
    assertThrows(
        CorruptRecordBatchException.class,
        () -> reader(out.toByteArray()).readNullableBytes("key"));
  }

  private static RecordsReader reader(byte[] bytes) {
    return new RecordsReader(ByteBuffer.wrap(bytes));
  }
}
