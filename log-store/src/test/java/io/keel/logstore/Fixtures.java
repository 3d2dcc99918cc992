package io.keel.logstore;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/** Builders shared by the log-store tests. */
final class Fixtures {
  private Fixtures() {}

  static LogStoreConfig config(Path dir) {
    return LogStoreConfig.defaults(dir).withWriteBufferBytes(4L << 20);
  }

  static LogStoreConfig smallSegments(Path dir, long segmentBytes) {
    return config(dir).withSegments(segmentBytes, Duration.ofDays(1));
  }

  /** A batch whose bytes are derived from its offset, so a read can be checked exactly. */
  static byte[] batchBytes(long baseOffset, int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) (baseOffset * 31 + 7));
    for (int i = 0; i < Math.min(8, size); i++) {
      b[i] = (byte) (baseOffset >>> (8 * i));
    }
    return b;
  }

  static Entry envelope(long term, long index, long baseOffset, int count, long ts, int size) {
    byte[] data =
        new BatchEnvelope(baseOffset, count, ts, ts, batchBytes(baseOffset, size)).encode();
    return new Entry(term, index, EntryType.NORMAL, data);
  }

  static Entry opaque(long term, long index) {
    return new Entry(term, index, EntryType.NORMAL, new byte[] {0x02, 1, 2, 3});
  }

  static Entry noop(long term, long index) {
    return new Entry(term, index, EntryType.NOOP, new byte[0]);
  }
}
