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
   * Decompresses {@code section}'s remaining bytes (uncompressed ones are returned as a view, not
   * copied). Never allocates more than {@code maxUncompressedBytes} (plus a read chunk), whatever
   * the input claims.
   */
  static ByteBuffer decompress(CompressionType type, ByteBuffer section, int maxUncompressedBytes) {
    try {
      return switch (type) {
        case NONE -> section.slice();
        case GZIP -> readBounded(new GZIPInputStream(in(section)), maxUncompressedBytes);
        case SNAPPY -> ByteBuffer.wrap(unsnappy(Region.of(section), maxUncompressedBytes));
        case LZ4 -> readBounded(new LZ4FrameInputStream(in(section)), maxUncompressedBytes);
        case ZSTD -> readBounded(new ZstdInputStream(in(section)), maxUncompressedBytes);
      };
    } catch (CorruptRecordBatchException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Native codecs report malformed input with assorted exception types.
      throw new CorruptRecordBatchException(
          "records: section does not decompress with " + type + ": " + e, e);
    }
  }

  /** A section as the array range the codecs read. */
  private record Region(byte[] data, int offset, int length) {
    // A direct section is copied once: the codecs read arrays.
    static Region of(ByteBuffer section) {
      if (section.hasArray()) {
        return new Region(
            section.array(), section.arrayOffset() + section.position(), section.remaining());
      }
      byte[] copy = new byte[section.remaining()];
      section.duplicate().get(copy);
      return new Region(copy, 0, copy.length);
    }
  }

  private static InputStream in(ByteBuffer section) {
    Region r = Region.of(section);
    return new ByteArrayInputStream(r.data(), r.offset(), r.length());
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

  private static byte[] unsnappy(Region in, int maxUncompressedBytes) throws IOException {
    byte[] data = in.data();
    int offset = in.offset();
    int length = in.length();
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
