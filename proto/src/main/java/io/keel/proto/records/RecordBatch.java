package io.keel.proto.records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A read-only view of one encoded record batch (format v1, docs/format.md). {@link #decode} checks
 * only the framing, so header accessors are cheap; {@link #verify()} checks the CRC and header
 * fields without decompressing; {@link #records()} decompresses and checks every record.
 *
 * <p>Layout (big-endian): magic(1) baseOffset(8) batchLength(4) crc(4) | attributes(2)
 * lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2)
 * baseSequence(4) recordCount(4) records. The CRC32C covers everything after the crc field, so a
 * leader may stamp the base offset without recomputing it.
 */
public final class RecordBatch {
  public static final byte MAGIC_V1 = 1;
  public static final long NO_PRODUCER_ID = -1L;
  public static final short NO_PRODUCER_EPOCH = -1;
  public static final int NO_SEQUENCE = -1;

  static final int MAGIC_OFFSET = 0;
  static final int BASE_OFFSET_OFFSET = 1;
  static final int LENGTH_OFFSET = 9;
  static final int CRC_OFFSET = 13;
  static final int ATTRIBUTES_OFFSET = 17;
  static final int LAST_OFFSET_DELTA_OFFSET = 19;
  static final int FIRST_TIMESTAMP_OFFSET = 23;
  static final int MAX_TIMESTAMP_OFFSET = 31;
  static final int PRODUCER_ID_OFFSET = 39;
  static final int PRODUCER_EPOCH_OFFSET = 47;
  static final int BASE_SEQUENCE_OFFSET = 49;
  static final int RECORD_COUNT_OFFSET = 53;
  public static final int HEADER_BYTES = 57;

  static final int COMPRESSION_MASK = 0x07;
  // Smallest encoded record: length, attributes, timestamp delta, offset delta, key length, value
  // length and header count take one byte each.
  static final int MIN_RECORD_BYTES = 7;
  // Smallest encoded header: key length and value length, one byte each.
  static final int MIN_HEADER_BYTES = 2;

  // Absolute reads only, never exposed; a heap buffer keeps its array for CRC and decompression.
  private final ByteBuffer data;
  private final RecordBatchLimits limits;

  private RecordBatch(ByteBuffer data, RecordBatchLimits limits) {
    this.data = data;
    this.limits = limits;
  }

  /** Wraps {@code bytes} (not copied) after checking size, magic and batch length. */
  public static RecordBatch decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes), RecordBatchLimits.DEFAULTS);
  }

  /** Wraps {@code bytes} (not copied) after checking size, magic and batch length. */
  public static RecordBatch decode(byte[] bytes, RecordBatchLimits limits) {
    return decode(ByteBuffer.wrap(bytes), limits);
  }

  /**
   * Wraps {@code bytes}' remaining bytes (not copied) after checking size, magic and batch length,
   * whether they are on the heap or in a direct buffer. The batch is a view: they must not change.
   */
  public static RecordBatch decode(ByteBuffer bytes, RecordBatchLimits limits) {
    int size = bytes.remaining();
    if (size < HEADER_BYTES) {
      throw corrupt("batch: " + size + " bytes, shorter than header " + HEADER_BYTES);
    }
    if (size > limits.maxBatchBytes()) {
      throw corrupt("batch: " + size + " bytes > maxBatchBytes " + limits.maxBatchBytes());
    }
    RecordBatch batch = new RecordBatch(bytes.slice(), limits); // slice(): big-endian, from 0
    if (batch.magic() != MAGIC_V1) {
      throw corrupt("magic: expected " + MAGIC_V1 + ", got " + batch.magic());
    }
    if (batch.batchLength() != size) {
      throw corrupt("batchLength: header says " + batch.batchLength() + ", buffer has " + size);
    }
    return batch;
  }

  /**
   * Stamps {@code baseOffset} into {@code batch} in place and returns it. The CRC does not cover
   * the base offset, so the batch stays valid.
   */
  public static byte[] withBaseOffset(byte[] batch, long baseOffset) {
    if (batch.length < HEADER_BYTES) {
      throw corrupt("batch: " + batch.length + " bytes, shorter than header " + HEADER_BYTES);
    }
    if (baseOffset < 0) {
      throw new IllegalArgumentException("baseOffset " + baseOffset + " < 0");
    }
    ByteBuffer.wrap(batch).putLong(BASE_OFFSET_OFFSET, baseOffset);
    return batch;
  }

  public int sizeInBytes() {
    return data.limit();
  }

  public byte magic() {
    return data.get(MAGIC_OFFSET);
  }

  public long baseOffset() {
    return data.getLong(BASE_OFFSET_OFFSET);
  }

  public int batchLength() {
    return data.getInt(LENGTH_OFFSET);
  }

  public int crc() {
    return data.getInt(CRC_OFFSET);
  }

  public short attributes() {
    return data.getShort(ATTRIBUTES_OFFSET);
  }

  public CompressionType compression() {
    return CompressionType.fromId(attributes() & COMPRESSION_MASK);
  }

  public int lastOffsetDelta() {
    return data.getInt(LAST_OFFSET_DELTA_OFFSET);
  }

  /** Offset of the last record: {@code baseOffset() + lastOffsetDelta()}. */
  public long lastOffset() {
    return baseOffset() + lastOffsetDelta();
  }

  public long firstTimestamp() {
    return data.getLong(FIRST_TIMESTAMP_OFFSET);
  }

  public long maxTimestamp() {
    return data.getLong(MAX_TIMESTAMP_OFFSET);
  }

  public long producerId() {
    return data.getLong(PRODUCER_ID_OFFSET);
  }

  public short producerEpoch() {
    return data.getShort(PRODUCER_EPOCH_OFFSET);
  }

  public int baseSequence() {
    return data.getInt(BASE_SEQUENCE_OFFSET);
  }

  /**
   * Sequence of the last record, or {@link #NO_SEQUENCE} without producer id. Sequences wrap from
   * {@code Integer.MAX_VALUE} to 0, so a long-lived producer never runs out.
   */
  public int lastSequence() {
    int base = baseSequence();
    if (base == NO_SEQUENCE) {
      return NO_SEQUENCE;
    }
    return (int) ((base + (long) lastOffsetDelta()) % (Integer.MAX_VALUE + 1L));
  }

  public int recordCount() {
    return data.getInt(RECORD_COUNT_OFFSET);
  }

  /** Checks the CRC and the header fields without decompressing the records. */
  public void verify() {
    int actualCrc = computeCrc(data);
    if (actualCrc != crc()) {
      throw corrupt(
          "crc: header says 0x%08x, computed 0x%08x over %d bytes"
              .formatted(crc(), actualCrc, sizeInBytes() - ATTRIBUTES_OFFSET));
    }
    HeaderChecks.check(this);
  }

  /** Verifies the batch, then decompresses and checks every record. */
  public void verifyRecords() {
    records();
  }

  /**
   * Verifies the batch and returns its records with absolute offsets. Throws {@link
   * CorruptRecordBatchException} naming the record and field on any inconsistency.
   */
  public List<Record> records() {
    verify();
    ByteBuffer section =
        Codecs.decompress(
            compression(),
            data.slice(HEADER_BYTES, sizeInBytes() - HEADER_BYTES),
            limits.maxUncompressedBytes());
    return parse(section);
  }

  private List<Record> parse(ByteBuffer section) {
    int count = recordCount();
    if (count > section.remaining() / MIN_RECORD_BYTES) {
      throw corrupt(
          "recordCount: %d records need at least %d bytes, records section has %d"
              .formatted(count, (long) count * MIN_RECORD_BYTES, section.remaining()));
    }
    RecordsReader reader = new RecordsReader(section);
    List<Record> records = new ArrayList<>(count);
    long baseOffset = baseOffset();
    long firstTimestamp = firstTimestamp();
    long maxTimestamp = Long.MIN_VALUE;
    for (int i = 0; i < count; i++) {
      Record record;
      try {
        record = RecordCodec.read(reader, i, baseOffset, firstTimestamp);
      } catch (CorruptRecordBatchException e) {
        throw new CorruptRecordBatchException(
            "record " + i + " of " + count + ": " + e.getMessage(), e);
      }
      maxTimestamp = Math.max(maxTimestamp, record.timestamp());
      records.add(record);
    }
    if (reader.remaining() != 0) {
      throw corrupt(
          "records: %d bytes left after recordCount %d records"
              .formatted(reader.remaining(), count));
    }
    if (maxTimestamp != maxTimestamp()) {
      throw corrupt(
          "maxTimestamp: header says %d, records' maximum is %d"
              .formatted(maxTimestamp(), maxTimestamp));
    }
    return records;
  }

  /** CRC32C of everything after the crc field. */
  static int computeCrc(byte[] batch) {
    return computeCrc(ByteBuffer.wrap(batch));
  }

  private static int computeCrc(ByteBuffer batch) {
    CRC32C crc = new CRC32C();
    crc.update(batch.slice(ATTRIBUTES_OFFSET, batch.limit() - ATTRIBUTES_OFFSET));
    return (int) crc.getValue();
  }

  static CorruptRecordBatchException corrupt(String message) {
    return new CorruptRecordBatchException(message);
  }

  @Override
  public String toString() {
    return "RecordBatch[baseOffset=%d, records=%d, bytes=%d, compression=%s, producerId=%d]"
        .formatted(
            baseOffset(),
            recordCount(),
            sizeInBytes(),
            attributes() & COMPRESSION_MASK,
            producerId());
  }
}
