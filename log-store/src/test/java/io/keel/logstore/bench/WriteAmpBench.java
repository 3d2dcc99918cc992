package io.keel.logstore.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.logstore.BatchEnvelope;
import io.keel.logstore.FsyncPolicy;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.HardState;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Bytes written to disk per payload byte ({@code /proc/self/io} write_bytes, which counts what this
 * process, RocksDB's background threads included, sent to the block layer) with fsync always and
 * group commit as the broker's loop does it (several appends and one hard state, then one {@code
 * sync()}), against raw FileChannel appends of the same batches with one {@code force} per group;
 * and the time to reopen a store holding about 1 GiB. Not part of the default run:
 *
 * <pre>
 * ./mvnw -B -o -pl log-store test -Dtest=WriteAmpBench -Dkeel.bench=true
 * </pre>
 *
 * The store run includes the close and a reopen, so memtable flushes and compactions of what was
 * written are counted too. Prints a Markdown table (also written to target/write-amp.md).
 */
class WriteAmpBench {
  private static final int APPENDS_PER_SYNC = 4;
  private static final long TOTAL_BYTES = Long.getLong("keel.bench.bytes", 256L << 20);
  private static final long RESTART_BYTES = Long.getLong("keel.bench.restartBytes", 1L << 30);
  private static final Pattern WRITE_BYTES = Pattern.compile("(?m)^write_bytes: (\\d+)$");

  private final List<String> rows = new ArrayList<>();

  @Test
  void run() throws Exception {
    assumeTrue(Boolean.getBoolean("keel.bench"), "benchmarks run with -Dkeel.bench=true");
    Path root = Path.of(System.getProperty("keel.bench.dir", "target/bench"));
    String only = System.getProperty("keel.bench.only", "");
    rows.add(
        "| batch | appends/sync | store write amp | store MB/s | raw write amp | raw MB/s"
            + " | store/raw throughput |");
    rows.add("|---|---|---|---|---|---|---|");
    for (int batchBytes : new int[] {1 << 10, 16 << 10}) {
      if (only.isEmpty() || only.equals("amp")) {
        measure(root, batchBytes);
      }
    }
    if (only.isEmpty() || only.equals("restart")) {
      restart(root);
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println(table);
    Files.writeString(Path.of("target/write-amp.md"), table);
  }

  private void measure(Path root, int batchBytes) throws IOException {
    // Small batches: fewer of them, or the fsync-bound run takes minutes.
    long total = batchBytes < 4096 ? TOTAL_BYTES / 4 : TOTAL_BYTES;
    int batches = (int) (total / batchBytes);
    byte[][] payloads = payloads(batchBytes);
    Path rawDir = clean(root.resolve("raw"));
    long w0 = writeBytes();
    long t0 = System.nanoTime();
    long raw = rawAppend(rawDir, payloads, batches);
    double rawMbs = mbPerSecond(raw, System.nanoTime() - t0);
    double rawAmp = (writeBytes() - w0) / (double) raw;
    clean(rawDir);

    Path dir = clean(root.resolve("store"));
    LogStoreConfig config = LogStoreConfig.defaults(dir).withFsyncPolicy(FsyncPolicy.always());
    long w1 = writeBytes();
    long t1 = System.nanoTime();
    long payload;
    try (LogStore log = LogStore.open(config)) {
      payload = append(log, 1, payloads, batches);
    }
    double storeMbs = mbPerSecond(payload, System.nanoTime() - t1);
    try (LogStore log = LogStore.open(config)) {
      log.group(1).lastIndex();
    }
    double storeAmp = (writeBytes() - w1) / (double) payload;
    clean(dir);
    rows.add(
        String.format(
            Locale.ROOT,
            "| %d KiB | %d | %.2f | %.0f | %.2f | %.0f | %.2f |",
            batchBytes >> 10,
            APPENDS_PER_SYNC,
            storeAmp,
            storeMbs,
            rawAmp,
            rawMbs,
            storeMbs / rawMbs));
  }

  /** Fills a store with about 1 GiB (fsync never), closes it, and times open + first read. */
  private void restart(Path root) throws IOException {
    int batchBytes = 16 << 10;
    int batches = (int) (RESTART_BYTES / batchBytes);
    Path dir = clean(root.resolve("restart"));
    LogStoreConfig config = LogStoreConfig.defaults(dir).withFsyncPolicy(FsyncPolicy.never());
    try (LogStore log = LogStore.open(config)) {
      append(log, 1, payloads(batchBytes), batches);
    }
    long t0 = System.nanoTime();
    long last;
    try (LogStore log = LogStore.open(config)) {
      RaftStorage s = log.group(1);
      last = s.lastIndex();
      s.entries(last, last + 1, Long.MAX_VALUE);
      log.partitionLog(1).read(log.partitionLog(1).nextOffset() - 1, Long.MAX_VALUE, 1 << 20);
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    rows.add(
        String.format(
            Locale.ROOT,
            "| restart: %d MiB, %d entries | | open + first reads %.0f ms (close included) | | | | |",
            RESTART_BYTES >> 20,
            last,
            ms));
    clean(dir);
  }

  /** Appends {@code batches} envelopes, a hard state and one sync every few; returns payload. */
  private static long append(LogStore log, long group, byte[][] payloads, int batches) {
    RaftStorage s = log.group(group);
    long bytes = 0;
    List<Entry> pending = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      byte[] payload = payloads[i % payloads.length];
      byte[] data = new BatchEnvelope(i, 1, i, i, payload).encode();
      pending.add(new Entry(1, i + 1, EntryType.NORMAL, data));
      bytes += payload.length;
      if (pending.size() == APPENDS_PER_SYNC || i == batches - 1) {
        s.stageReady(new HardState(1, 1, Math.max(0, i + 1 - APPENDS_PER_SYNC)), null, pending);
        log.sync();
        pending = new ArrayList<>();
      }
    }
    return bytes;
  }

  private static long rawAppend(Path dir, byte[][] payloads, int batches) throws IOException {
    Files.createDirectories(dir);
    long bytes = 0;
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve("segment.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < batches; i++) {
        ByteBuffer b = ByteBuffer.wrap(payloads[i % payloads.length]);
        while (b.hasRemaining()) {
          bytes += ch.write(b);
        }
        if ((i + 1) % APPENDS_PER_SYNC == 0 || i == batches - 1) {
          ch.force(false);
        }
      }
    }
    return bytes;
  }

  private static long writeBytes() throws IOException {
    Matcher m = WRITE_BYTES.matcher(Files.readString(Path.of("/proc/self/io")));
    if (!m.find()) {
      throw new IllegalStateException("no write_bytes in /proc/self/io");
    }
    return Long.parseLong(m.group(1));
  }

  private static byte[][] payloads(int batchBytes) {
    SplittableRandom random = new SplittableRandom(42);
    byte[][] out = new byte[8][batchBytes];
    for (byte[] p : out) {
      random.nextBytes(p);
    }
    return out;
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
