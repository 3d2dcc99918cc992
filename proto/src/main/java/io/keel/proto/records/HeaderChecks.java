package io.keel.proto.records;

import static io.keel.proto.records.RecordBatch.corrupt;

/** Consistency checks on a batch's header fields; no decompression. */
final class HeaderChecks {
  private HeaderChecks() {}

  static void check(RecordBatch batch) {
    checkAttributes(batch.attributes());
    checkCounts(batch);
    checkBaseOffset(batch.baseOffset(), batch.lastOffsetDelta());
    checkProducer(batch.producerId(), batch.producerEpoch(), batch.baseSequence());
    if (batch.maxTimestamp() < batch.firstTimestamp()) {
      throw corrupt(
          "maxTimestamp: %d < firstTimestamp %d"
              .formatted(batch.maxTimestamp(), batch.firstTimestamp()));
    }
  }

  private static void checkAttributes(short attributes) {
    CompressionType.fromId(attributes & RecordBatch.COMPRESSION_MASK);
    int reserved = attributes & ~RecordBatch.COMPRESSION_MASK;
    if (reserved != 0) {
      throw corrupt("attributes: reserved bits set: 0x%04x".formatted(reserved));
    }
  }

  private static void checkCounts(RecordBatch batch) {
    int count = batch.recordCount();
    if (count < 1) {
      throw corrupt("recordCount: expected >= 1, got " + count);
    }
    if (batch.lastOffsetDelta() != count - 1) {
      throw corrupt(
          "lastOffsetDelta: expected recordCount - 1 = %d, got %d"
              .formatted(count - 1, batch.lastOffsetDelta()));
    }
    int sectionBytes = batch.sizeInBytes() - RecordBatch.HEADER_BYTES;
    if (batch.compression() == CompressionType.NONE
        && count > sectionBytes / RecordBatch.MIN_RECORD_BYTES) {
      throw corrupt(
          "recordCount: %d records cannot fit in %d bytes".formatted(count, sectionBytes));
    }
  }

  private static void checkBaseOffset(long baseOffset, int lastOffsetDelta) {
    if (baseOffset < 0 || baseOffset > Long.MAX_VALUE - lastOffsetDelta) {
      throw corrupt(
          "baseOffset: %d outside [0, %d]".formatted(baseOffset, Long.MAX_VALUE - lastOffsetDelta));
    }
  }

  private static void checkProducer(long producerId, short producerEpoch, int baseSequence) {
    if (producerId == RecordBatch.NO_PRODUCER_ID) {
      if (producerEpoch != RecordBatch.NO_PRODUCER_EPOCH) {
        throw corrupt("producerEpoch: expected -1 without producer id, got " + producerEpoch);
      }
      if (baseSequence != RecordBatch.NO_SEQUENCE) {
        throw corrupt("baseSequence: expected -1 without producer id, got " + baseSequence);
      }
      return;
    }
    if (producerId < 0) {
      throw corrupt("producerId: expected -1 or >= 0, got " + producerId);
    }
    if (producerEpoch < 0) {
      throw corrupt("producerEpoch: expected >= 0 with producer id, got " + producerEpoch);
    }
    if (baseSequence < 0) {
      throw corrupt("baseSequence: expected >= 0 with producer id, got " + baseSequence);
    }
  }
}
