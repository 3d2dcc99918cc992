package io.keel.proto.records;

/**
 * Size limits enforced when building and decoding batches.
 *
 * @param maxBatchBytes largest encoded batch, header included
 * @param maxUncompressedBytes largest records section after decompression; bounds the memory a
 *     decoder allocates for a hostile batch
 */
public record RecordBatchLimits(int maxBatchBytes, int maxUncompressedBytes) {
  public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_UNCOMPRESSED_BYTES = 32 << 20;
  public static final RecordBatchLimits DEFAULTS =
      new RecordBatchLimits(DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_UNCOMPRESSED_BYTES);

  public RecordBatchLimits {
    if (maxBatchBytes < RecordBatch.HEADER_BYTES) {
      throw new IllegalArgumentException(
          "maxBatchBytes " + maxBatchBytes + " < header size " + RecordBatch.HEADER_BYTES);
    }
    if (maxUncompressedBytes < 0) {
      throw new IllegalArgumentException("maxUncompressedBytes " + maxUncompressedBytes + " < 0");
    }
  }

  /** Default limits with a different {@code maxBatchBytes}. */
  public static RecordBatchLimits withMaxBatchBytes(int maxBatchBytes) {
    return new RecordBatchLimits(maxBatchBytes, DEFAULT_MAX_UNCOMPRESSED_BYTES);
  }
}
