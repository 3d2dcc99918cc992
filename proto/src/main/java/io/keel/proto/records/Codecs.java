package io.keel.proto.records;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.Snappy;

/** Compresses and decompresses a batch's records section. */
final class Codecs {
  private static final int ZSTD_LEVEL = 3;
  // lz4-java's default 4 MiB block would allocate that much per batch; batches are ~1 MiB.
  private static final LZ4FrameOutputStream.BLOCKSIZE LZ4_BLOCK_SIZE =
      LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB;

  private Codecs() {}

  static byte[] compress(CompressionType type, byte[] raw) {
    try {
      return switch (type) {
        case NONE -> raw;
        case GZIP -> gzip(raw);
        case SNAPPY -> Snappy.compress(raw);
        case LZ4 -> lz4(raw);
        case ZSTD -> Zstd.compress(raw, ZSTD_LEVEL);
      };
    } catch (IOException e) {
      throw new UncheckedIOException("compressing with " + type, e);
    }
  }

  /**
   * Decompresses {@code data[offset, offset+length)}. Never allocates more than {@code
   * maxUncompressedBytes} (plus a read chunk), whatever the input claims.
   */
  static ByteBuffer decompress(
      CompressionType type, byte[] data, int offset, int length, int maxUncompressedBytes) {
    try {
      return switch (type) {
        case NONE -> ByteBuffer.wrap(data, offset, length).slice();
        case GZIP ->
            readBounded(new GZIPInputStream(in(data, offset, length)), maxUncompressedBytes);
        case SNAPPY -> ByteBuffer.wrap(unsnappy(data, offset, length, maxUncompressedBytes));
        case LZ4 ->
            readBounded(new LZ4FrameInputStream(in(data, offset, length)), maxUncompressedBytes);
        case ZSTD ->
            readBounded(new ZstdInputStream(in(data, offset, length)), maxUncompressedBytes);
      };
    } catch (CorruptRecordBatchException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Native codecs report malformed input with assorted exception types.
      throw new CorruptRecordBatchException(
          "records: section does not decompress with " + type + ": " + e, e);
    }
  }

  private static InputStream in(byte[] data, int offset, int length) {
    return new ByteArrayInputStream(data, offset, length);
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  private static byte[] lz4(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
    try (LZ4FrameOutputStream lz = new LZ4FrameOutputStream(out, LZ4_BLOCK_SIZE)) {
      lz.write(raw);
    }
    return out.toByteArray();
  }

  private static byte[] unsnappy(byte[] data, int offset, int length, int maxUncompressedBytes)
      throws IOException {
    if (!Snappy.isValidCompressedBuffer(data, offset, length)) {
      throw new CorruptRecordBatchException("records: invalid snappy data");
    }
    int size = Snappy.uncompressedLength(data, offset, length);
    if (size < 0 || size > maxUncompressedBytes) {
      throw new CorruptRecordBatchException(
          "records: snappy uncompressed size "
              + size
              + " bytes outside [0, maxUncompressedBytes "
              + maxUncompressedBytes
              + "]");
    }
    byte[] out = new byte[size];
    int written = Snappy.uncompress(data, offset, length, out, 0);
    if (written != size) {
      throw new CorruptRecordBatchException(
          "records: snappy wrote " + written + " bytes, header said " + size);
    }
    return out;
  }

  private static ByteBuffer readBounded(InputStream in, int maxUncompressedBytes)
      throws IOException {
    try (in) {
      byte[] out = in.readNBytes(maxUncompressedBytes);
      if (in.read() != -1) {
        throw new CorruptRecordBatchException(
            "records: uncompressed size exceeds maxUncompressedBytes " + maxUncompressedBytes);
      }
      return ByteBuffer.wrap(out);
    }
  }
}
