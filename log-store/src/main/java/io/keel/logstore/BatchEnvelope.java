package io.keel.logstore;

import io.keel.raft.Checks;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The entry envelope of one producer record batch: how a partition's NORMAL Raft entry carries a
 * batch together with the offsets the leader assigned to it.
 *
 * <pre>
 * [0x01 type u8][baseOffset i64][recordCount i32][maxTimestamp i64][firstTimestamp i64]
 * [crc32c i32][batch bytes ...]
 * </pre>
 *
 * <p>All integers big-endian. The CRC32C covers every byte of the entry except the CRC field itself
 * (the header before it and the batch after it), so a flipped bit in an offset or timestamp is
 * caught as surely as one in the records. The batch bytes are the producer's encoding (proto
 * module) and are never interpreted here.
 *
 * @param baseOffset offset of the first record
 * @param recordCount offsets the batch covers, at least 1
 * @param maxTimestamp largest record timestamp, epoch ms
 * @param firstTimestamp first record's timestamp, epoch ms
 * @param batchBytes the producer's record batch
 */
public record BatchEnvelope(
    long baseOffset, int recordCount, long maxTimestamp, long firstTimestamp, byte[] batchBytes) {

  /** First data byte of a NORMAL entry that is a record-batch envelope. */
  public static final byte TYPE = 0x01;

  /** Bytes before the batch. */
  public static final int HEADER_BYTES = 1 + 8 + 4 + 8 + 8 + 4;

  private static final int CRC_POSITION = HEADER_BYTES - 4;

  public BatchEnvelope {
    Checks.arg(baseOffset >= 0, "baseOffset must be >= 0, was %s", baseOffset);
    Checks.arg(recordCount > 0, "recordCount must be > 0, was %s", recordCount);
    Checks.arg(batchBytes != null, "batchBytes is null at baseOffset %s", baseOffset);
  }

  /** The offset after the last record. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }

  /** The entry data: header, CRC and batch. */
  public byte[] encode() {
    byte[] out = new byte[HEADER_BYTES + batchBytes.length];
    ByteBuffer.wrap(out)
        .put(TYPE)
        .putLong(baseOffset)
        .putInt(recordCount)
        .putLong(maxTimestamp)
        .putLong(firstTimestamp);
    System.arraycopy(batchBytes, 0, out, HEADER_BYTES, batchBytes.length);
    ByteBuffer.wrap(out).putInt(CRC_POSITION, crcOf(out, 0));
    return out;
  }

  /** True when {@code data} is tagged as an envelope (it may still be malformed). */
  public static boolean isEnvelope(byte[] data) {
    return data.length > 0 && data[0] == TYPE;
  }

  /** Decodes and verifies an envelope; throws {@link IllegalArgumentException} saying why not. */
  public static BatchEnvelope decode(byte[] data) {
    Optional<String> problem = verify(data);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    Header h = header(data);
    return new BatchEnvelope(
        h.baseOffset(),
        h.recordCount(),
        h.maxTimestamp(),
        h.firstTimestamp(),
        batchBytesOf(data, 0));
  }

  /** Why {@code data} is not a valid envelope, or empty when it is. */
  public static Optional<String> verify(byte[] data) {
    return verifyAt(data, 0);
  }

  /** The header fields, read without verifying the CRC. */
  public static Header header(byte[] data) {
    return headerAt(data, 0);
  }

  /** Like {@link #verify} for an envelope starting at {@code start} of {@code buf}. */
  static Optional<String> verifyAt(byte[] buf, int start) {
    int length = buf.length - start;
    if (length < HEADER_BYTES) {
      return Optional.of(
          "envelope is " + length + " bytes, shorter than its " + HEADER_BYTES + "-byte header");
    }
    if (buf[start] != TYPE) {
      return Optional.of("envelope type byte is " + buf[start] + ", expected " + TYPE);
    }
    int stored = ByteBuffer.wrap(buf).getInt(start + CRC_POSITION);
    int computed = crcOf(buf, start);
    if (stored != computed) {
      return Optional.of(
          String.format("envelope CRC32C mismatch: stored %08x, computed %08x", stored, computed));
    }
    int recordCount = ByteBuffer.wrap(buf).getInt(start + 9);
    if (recordCount <= 0) {
      return Optional.of("envelope recordCount must be > 0, was " + recordCount);
    }
    return Optional.empty();
  }

  static Header headerAt(byte[] buf, int start) {
    Checks.arg(
        buf.length - start >= HEADER_BYTES,
        "envelope is %s bytes, shorter than its %s-byte header",
        buf.length - start,
        HEADER_BYTES);
    ByteBuffer b = ByteBuffer.wrap(buf);
    return new Header(
        b.getLong(start + 1), b.getInt(start + 9), b.getLong(start + 13), b.getLong(start + 21));
  }

  /** Copies the batch bytes out of an envelope starting at {@code start} of {@code buf}. */
  static byte[] batchBytesOf(byte[] buf, int start) {
    byte[] batch = new byte[buf.length - start - HEADER_BYTES];
    System.arraycopy(buf, start + HEADER_BYTES, batch, 0, batch.length);
    return batch;
  }

  private static int crcOf(byte[] buf, int start) {
    CRC32C crc = new CRC32C();
    crc.update(buf, start, CRC_POSITION);
    crc.update(buf, start + HEADER_BYTES, buf.length - start - HEADER_BYTES);
    return (int) crc.getValue();
  }

  /** An envelope's header. */
  public record Header(long baseOffset, int recordCount, long maxTimestamp, long firstTimestamp) {
    public long nextOffset() {
      return baseOffset + recordCount;
    }
  }
}
