package io.keel.broker.controller;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last metadata image a node saw, kept in one file so that a restarted node starts its
 * partition replicas (and can reach its peers) from its own disk as soon as its log is open, not
 * only once it has registered with a controller. It is a cache: a missing or damaged file means
 * starting from the empty image (logged), and the controller sends a newer one; Raft, not this
 * file, decides what each replica holds. Layout: CRC32C of the payload (4 bytes), then the image as
 * protobuf.
 */
final class ImageFile {
  private static final Logger log = LoggerFactory.getLogger(ImageFile.class);

  private ImageFile() {}

  static MetadataImage load(Path file) {
    if (!Files.exists(file)) {
      return MetadataImage.EMPTY;
    }
    try {
      ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
      if (data.remaining() < Integer.BYTES) {
        log.warn("{} is truncated ({} bytes); starting without it", file, data.remaining());
        return MetadataImage.EMPTY;
      }
      int stored = data.getInt();
      byte[] payload = new byte[data.remaining()];
      data.get(payload);
      if (crc(payload) != stored) {
        log.warn("{} fails its checksum; starting without it", file);
        return MetadataImage.EMPTY;
      }
      return MetadataCodec.decodeImage(payload);
    } catch (IOException | RuntimeException e) {
      log.warn("{} cannot be read; starting without it", file, e);
      return MetadataImage.EMPTY;
    }
  }

  /** Replaces the file atomically: written and fsynced aside, then renamed over it. */
  static void save(Path file, MetadataImage image) throws IOException {
    byte[] payload = MetadataCodec.encodeImage(image);
    ByteBuffer out = ByteBuffer.allocate(Integer.BYTES + payload.length);
    out.putInt(crc(payload)).put(payload).flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (out.hasRemaining()) {
        ch.write(out);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static int crc(byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(payload);
    return (int) c.getValue();
  }
}
