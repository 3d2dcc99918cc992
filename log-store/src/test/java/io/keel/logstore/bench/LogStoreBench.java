package io.keel.logstore.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.logstore.BatchEnvelope;
import io.keel.logstore.FsyncPolicy;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.logstore.PartitionLog;
import io.keel.logstore.StoredBatch;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Append and read throughput of the log store against raw sequential FileChannel appends of the
 * same batches on the same disk. Not part of the default test run (surefire excludes bench/**):
 *
 * <pre>
 * ./mvnw -B -o -pl log-store test -Dtest=LogStoreBench -Dkeel.bench=true
 * </pre>
 *
 * Prints a Markdown table (and writes it to log-store/target/bench-results.md).
 */
class LogStoreBench {
  private static final int RECORD_BYTES = 1024;
  private static final long APPEND_BYTES_ALWAYS = 128L << 20;
  private static final long APPEND_BYTES_NEVER = 512L << 20;
  private static final int READ_PASSES = 5;
  private static final int READ_MAX_BYTES = 1 << 20;

  private final List<String> rows = new ArrayList<>();

  @Test
  void run() throws Exception {
    assumeTrue(Boolean.getBoolean("keel.bench"), "benchmarks run with -Dkeel.bench=true");
    Path root = Path.of(System.getProperty("keel.bench.dir", "target/bench"));
    rows.add(
        "| batch | fsync | log-store append MB/s | raw append MB/s | ratio"
            + " | log-store read GB/s | raw read GB/s | ratio |");
    rows.add("|---|---|---|---|---|---|---|---|");
    String only = System.getProperty("keel.bench.only", "");
    for (int batchBytes : new int[] {16 << 10, 256 << 10}) {
      for (boolean always : new boolean[] {true, false}) {
        if (!only.isEmpty() && !only.equals((batchBytes >> 10) + (always ? "always" : "never"))) {
          continue;
        }
        long total = always ? APPEND_BYTES_ALWAYS : APPEND_BYTES_NEVER;
        measure(root, batchBytes, always, total);
      }
    }
    if (only.isEmpty() || only.equals("groupcommit")) {
      measureGroupCommit(root, 16 << 10, 4);
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println(table);
    Files.writeString(Path.of("target/bench-results.md"), table);
  }

  private void measure(Path root, int batchBytes, boolean always, long totalBytes)
      throws IOException {
    int batches = (int) (totalBytes / batchBytes);
    byte[][] payloads = payloads(batchBytes);
    Path rawDir = clean(root.resolve("raw"));
    double raw = rawAppend(rawDir, payloads, batches, always);
    double rawReads = rawReadRecent(rawDir.resolve("segment.log"), batchBytes);
    Path dir = clean(root.resolve("store"));
    LogStoreConfig config =
        LogStoreConfig.defaults(dir)
            .withFsyncPolicy(always ? FsyncPolicy.always() : FsyncPolicy.never());
    double store;
    double reads;
    try (LogStore log = LogStore.open(config)) {
      store = storeAppend(log, payloads, batches, batchBytes);
      reads = readRecent(log.partitionLog(1), batches);
    }
    rows.add(
        String.format(
            Locale.ROOT,
            "| %d KiB | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f |",
            batchBytes >> 10,
            always ? "always" : "never",
            store,
            raw,
            store / raw,
            reads,
            rawReads,
            reads / rawReads));
    clean(root);
  }

  /** Several writers, one group each, fsync always: their syncs share WAL fsyncs. */
  private void measureGroupCommit(Path root, int batchBytes, int writers) throws Exception {
    int batches = (int) (APPEND_BYTES_ALWAYS / batchBytes / writers);
    byte[][] payloads = payloads(batchBytes);
    Path dir = clean(root.resolve("store"));
    long start = System.nanoTime();
    try (LogStore log = LogStore.open(LogStoreConfig.defaults(dir))) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        long group = w + 1;
        Thread t = new Thread(() -> append(log, group, payloads, batches, batchBytes));
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    double mbs = mbPerSecond((long) batches * writers * batchBytes, System.nanoTime() - start);
    rows.add(
        String.format(
            Locale.ROOT,
            "| %d KiB, %d writers (group commit) | always | %.0f | | | | | |",
            batchBytes >> 10,
            writers,
            mbs));
    clean(root);
  }

  private static void append(
      LogStore log, long group, byte[][] payloads, int batches, int batchBytes) {
    RaftStorage s = log.group(group);
    int records = batchBytes / RECORD_BYTES;
    for (int i = 0; i < batches; i++) {
      byte[] data =
          new BatchEnvelope((long) i * records, records, i, i, payloads[i % payloads.length])
              .encode();
      s.append(List.of(new Entry(1, i + 1, EntryType.NORMAL, data)));
      log.sync();
    }
  }

  /** A few distinct incompressible payloads, reused round-robin. */
  private static byte[][] payloads(int batchBytes) {
    SplittableRandom random = new SplittableRandom(42);
    byte[][] out = new byte[8][batchBytes];
    for (byte[] p : out) {
      random.nextBytes(p);
    }
    return out;
  }

  private static double storeAppend(LogStore log, byte[][] payloads, int batches, int batchBytes) {
    long start = System.nanoTime();
    append(log, 1, payloads, batches, batchBytes);
    return mbPerSecond((long) batches * batchBytes, System.nanoTime() - start);
  }

  private static double rawAppend(Path dir, byte[][] payloads, int batches, boolean always)
      throws IOException {
    Files.createDirectories(dir);
    long bytes = 0;
    long start = System.nanoTime();
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve("segment.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < batches; i++) {
        ByteBuffer b = ByteBuffer.wrap(payloads[i % payloads.length]);
        while (b.hasRemaining()) {
          bytes += ch.write(b);
        }
        if (always) {
          ch.force(false);
        }
      }
    }
    return mbPerSecond(bytes, System.nanoTime() - start);
  }

  /** Reads the most recent quarter of the log by offset, several passes, in 1 MiB fetches. */
  private static double readRecent(PartitionLog p, int batches) {
    long from = p.nextOffset() - (p.nextOffset() - p.logStartOffset()) / 4;
    long bytes = 0;
    long start = System.nanoTime();
    for (int pass = 0; pass < READ_PASSES; pass++) {
      long offset = from;
      while (offset < p.nextOffset()) {
        List<StoredBatch> got = p.read(offset, Long.MAX_VALUE, READ_MAX_BYTES);
        for (StoredBatch b : got) {
          bytes += b.sizeBytes();
        }
        offset = got.get(got.size() - 1).nextOffset();
      }
    }
    return mbPerSecond(bytes, System.nanoTime() - start) / 1000;
  }

  /** The raw baseline of {@link #readRecent}: the file's last quarter, batch-sized reads. */
  private static double rawReadRecent(Path file, int batchBytes) throws IOException {
    long bytes = 0;
    ByteBuffer buf = ByteBuffer.allocate(batchBytes);
    long start = System.nanoTime();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long from = ch.size() - ch.size() / 4;
      for (int pass = 0; pass < READ_PASSES; pass++) {
        for (long pos = from; pos < ch.size(); pos += batchBytes) {
          buf.clear();
          bytes += ch.read(buf, pos);
          byte[] copy = new byte[buf.position()];
          buf.flip().get(copy);
        }
      }
    }
    return mbPerSecond(bytes, System.nanoTime() - start) / 1000;
  }

  private static double mbPerSecond(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }

  private static Path clean(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return dir;
  }
}
