package io.keel.logstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BatchEnvelopeTest {

  @Test
  void roundTripsEveryField() {
    byte[] batch = {9, 8, 7, 6, 5};
    BatchEnvelope e = new BatchEnvelope(42, 3, 1_700_000_000_123L, 1_700_000_000_000L, batch);
    byte[] data = e.encode();
    assertEquals(BatchEnvelope.HEADER_BYTES + batch.length, data.length);
    assertEquals(BatchEnvelope.TYPE, data[0]);
    assertTrue(BatchEnvelope.isEnvelope(data));
    BatchEnvelope back = BatchEnvelope.decode(data);
    assertEquals(42, back.baseOffset());
    assertEquals(3, back.recordCount());
    assertEquals(1_700_000_000_123L, back.maxTimestamp());
    assertEquals(1_700_000_000_000L, back.firstTimestamp());
    assertArrayEquals(batch, back.batchBytes());
    assertEquals(45, back.nextOffset());
  }

  @Test
  void everyFlippedBitIsCaughtInHeaderAndBatch() {
    byte[] data = new BatchEnvelope(7, 2, 100, 90, new byte[] {1, 2, 3}).encode();
    for (int i = 1; i < data.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = data.clone();
        bad[i] ^= (byte) (1 << bit);
        assertTrue(BatchEnvelope.verify(bad).isPresent(), "flip at byte " + i + " bit " + bit);
      }
    }
    assertFalse(BatchEnvelope.verify(data).isPresent());
  }

  @Test
  void rejectsShortDataAndBadFields() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BatchEnvelope.decode(new byte[] {1}));
    assertTrue(e.getMessage().contains("shorter than"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BatchEnvelope(-1, 1, 0, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new BatchEnvelope(0, 0, 0, 0, new byte[0]));
    assertFalse(BatchEnvelope.isEnvelope(new byte[] {0x02}));
    assertFalse(BatchEnvelope.isEnvelope(new byte[0]));
  }
}
