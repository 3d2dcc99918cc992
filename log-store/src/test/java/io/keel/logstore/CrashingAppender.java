package io.keel.logstore;

import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftStorage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link KillNineTest}: appends batches to two groups as fast as it can with fsync
 * always, and after each {@code sync()} prints {@code ACK <index>} (the Raft index now durable in
 * both groups) until it is killed.
 */
public final class CrashingAppender {
  static final long[] GROUPS = {1, 2};

  private CrashingAppender() {}

  /** Batch size is a function of the offset, so the parent can check every byte. */
  static int sizeOf(long offset) {
    return 200 + (int) ((offset * 7919) % 40_000);
  }

  public static void main(String[] args) {
    PrintStream out = System.out;
    try (LogStore store = LogStore.open(Fixtures.config(Path.of(args[0])))) {
      long index = store.group(GROUPS[0]).lastIndex();
      for (long g : GROUPS) {
        // A kill between the two groups' appends may leave one group one entry ahead.
        index = Math.min(index, store.group(g).lastIndex());
      }
      out.println("READY " + index);
      out.flush();
      while (true) {
        index++;
        for (long g : GROUPS) {
          RaftStorage s = store.group(g);
          s.append(List.of(entry(index)));
        }
        store.sync();
        out.println("ACK " + index);
        out.flush();
      }
    }
  }

  /** Entry {@code i} holds one record at offset {@code i - 1}. */
  static Entry entry(long index) {
    long offset = index - 1;
    byte[] data =
        new BatchEnvelope(offset, 1, offset, offset, Fixtures.batchBytes(offset, sizeOf(offset)))
            .encode();
    return new Entry(1, index, EntryType.NORMAL, data);
  }
}
