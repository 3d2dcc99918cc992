package io.keel.chaos.fs;

import java.nio.charset.StandardCharsets;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * Child process for {@link LazyFsTest}: writes {@code synced} keys with sync=true, then {@code
 * unsynced} keys with sync=false, prints "ready" and waits to be killed -9.
 *
 * <p>Args: dir synced unsynced writeBufferBytes
 */
public final class RocksWriter {
  static final int VALUE_BYTES = 1024;

  private RocksWriter() {}

  public static void main(String[] args) throws Exception {
    RocksDB.loadLibrary();
    int synced = Integer.parseInt(args[1]);
    int unsynced = Integer.parseInt(args[2]);
    try (Options options =
            new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(Long.parseLong(args[3]))
                .setLevel0FileNumCompactionTrigger(2);
        RocksDB db = RocksDB.open(options, args[0]);
        WriteOptions sync = new WriteOptions().setSync(true);
        WriteOptions lazy = new WriteOptions().setSync(false)) {
      for (int i = 0; i < synced + unsynced; i++) {
        db.put(i < synced ? sync : lazy, key(i), value(i));
      }
      System.out.println("ready");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  static byte[] key(int i) {
    return "k%08d".formatted(i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(int i) {
    byte[] v = new byte[VALUE_BYTES];
    java.util.Arrays.fill(v, (byte) i);
    return v;
  }
}
