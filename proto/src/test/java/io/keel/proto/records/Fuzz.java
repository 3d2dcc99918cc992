package io.keel.proto.records;

import java.nio.ByteBuffer;

/** Test helpers that corrupt batches while keeping them past the CRC check. */
final class Fuzz {
  private Fuzz() {}

  static void fixCrc(byte[] batch) {
    ByteBuffer.wrap(batch).putInt(RecordBatch.CRC_OFFSET, RecordBatch.computeCrc(batch));
  }
}
