package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.Entry;
import io.keel.raft.RaftStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The segment files under the store: one frame per entry, written once, survive interrupts. */
@Timeout(60)
class SegmentFileTest {
  private static final long GROUP = 12;

  @TempDir Path dir;

  @Test
  void eachEntryIsOneFrameAppendedToTheGroupsSegmentFile() {
    try (LogStore store = LogStore.open(Fixtures.config(dir))) {
      RaftStorage s = store.group(GROUP);
      Entry a = envelope(1, 1, 0, 1, 0, 1000);
      Entry b = envelope(1, 2, 1, 1, 0, 3000);
      s.append(List.of(a, b));
      SegmentFiles files = store.groupLog(GROUP).files;
      assertEquals(List.of(1L), files.onDisk());
      long expected = SegmentFrame.frameBytes(a) + SegmentFrame.frameBytes(b);
      assertEquals(expected, files.get(1).size());
      // An overwritten suffix stays as dead bytes; its replacement follows it.
      s.append(List.of(envelope(2, 2, 1, 1, 0, 3000)));
      assertEquals(expected + SegmentFrame.frameBytes(b), files.get(1).size());
      assertEquals(2, s.term(2));
    }
  }

  /** An interrupt closes a FileChannel for all threads; the next read reopens it. */
  @Test
  void aReaderInterruptedInsideTheChannelDoesNotBreakTheLog() {
    try (LogStore store = LogStore.open(Fixtures.config(dir))) {
      RaftStorage s = store.group(GROUP);
      s.append(List.of(envelope(1, 1, 0, 1, 0, 1000)));
      Thread.currentThread().interrupt();
      StorageException e =
          assertThrows(StorageException.class, () -> s.entries(1, 2, Long.MAX_VALUE));
      assertTrue(Thread.interrupted(), "the interrupt stays visible to its thread");
      assertTrue(e.getMessage().contains("segment file"), e.getMessage());
      s.append(List.of(envelope(1, 2, 1, 1, 0, 1000)));
      store.sync();
      assertArrayEquals(
          envelope(1, 2, 1, 1, 0, 1000).data(), s.entries(2, 3, Long.MAX_VALUE).get(0).data());
      assertEquals(2, store.partitionLog(GROUP).read(0, Long.MAX_VALUE, 1 << 20).size());
    }
  }
}
