package io.keel.logstore;

import static io.keel.logstore.Fixtures.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.raft.RaftStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.RocksDBException;

/**
 * Bytes tampered with behind the store's back (a RocksDB put of altered bytes, as a bad disk or a
 * stray write would leave them) are caught by the envelope CRC on every read path.
 */
class CorruptionTest {
  private static final long GROUP = 21;
  private static final int BATCH_BYTES = 2000;
  private static final int ENVELOPE_AT = Codec.ENTRY_HEADER_BYTES;

  @TempDir Path dir;
  private LogStore store;

  @BeforeEach
  void fill() {
    store = LogStore.open(Fixtures.config(dir));
    RaftStorage s = store.group(GROUP);
    // Raft index i + 1 holds offsets [5i, 5i + 5).
    for (int i = 0; i < 4; i++) {
      s.append(List.of(envelope(1, i + 1, i * 5L, 5, 100, BATCH_BYTES)));
    }
    store.sync();
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    store.close();
  }

  /** Byte positions inside the entry value: record bytes, base offset, timestamp, type byte. */
  @ParameterizedTest
  @ValueSource(
      ints = {
        ENVELOPE_AT + BatchEnvelope.HEADER_BYTES + 1500,
        ENVELOPE_AT + 1,
        ENVELOPE_AT + 14,
        ENVELOPE_AT
      })
  void damagedBatchIsReportedNamingPartitionAndOffset(int byteAt) throws RocksDBException {
    tamper(3, byteAt);
    PartitionLog p = store.partitionLog(GROUP);

    CorruptBatchException e =
        assertThrows(
            CorruptBatchException.class, () -> p.read(0, Long.MAX_VALUE, Integer.MAX_VALUE));
    assertEquals(GROUP, e.groupId());
    assertEquals(10, e.offset());
    assertTrue(e.getMessage().contains("partition group 21 at offset 10"), e.getMessage());
    assertThrows(CorruptBatchException.class, () -> p.read(12, Long.MAX_VALUE, 1));

    assertEquals(2, p.read(0, Long.MAX_VALUE, BATCH_BYTES * 2).size(), "batches before it");
    assertEquals(15, p.read(15, Long.MAX_VALUE, 1).get(0).baseOffset(), "batches after it");
  }

  @Test
  void raftReadsOfADamagedEntryFailToo() throws RocksDBException {
    tamper(2, ENVELOPE_AT + BatchEnvelope.HEADER_BYTES + 7);
    RaftStorage s = store.group(GROUP);
    CorruptBatchException e =
        assertThrows(CorruptBatchException.class, () -> s.entries(1, 5, Long.MAX_VALUE));
    assertEquals(5, e.offset());
    assertEquals(1, s.entries(1, 2, Long.MAX_VALUE).size());
  }

  @Test
  void damageSurvivesReopenAndIsStillCaught() throws RocksDBException {
    tamper(4, ENVELOPE_AT + BatchEnvelope.HEADER_BYTES);
    store.close();
    store = LogStore.open(Fixtures.config(dir));
    CorruptBatchException e =
        assertThrows(
            CorruptBatchException.class,
            () -> store.partitionLog(GROUP).read(15, Long.MAX_VALUE, 1));
    assertEquals(15, e.offset());
  }

  private void tamper(long index, int byteAt) throws RocksDBException {
    Rocks rocks = store.rocks();
    byte[] key = Keys.of(GROUP, index);
    byte[] value = rocks.db.get(rocks.log, key);
    value[byteAt] ^= 0x10;
    rocks.db.put(rocks.log, key, value);
  }
}
