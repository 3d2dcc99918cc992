package io.keel.broker.partition;

import static io.keel.broker.partition.PartitionHarness.validated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keel.logstore.LogStoreConfig;
import io.keel.proto.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition leader on a 64 MiB tmpfs below {@code storage.min.free.bytes}: produce fails at once
 * with STORAGE_FULL and stores nothing, reads go on, and produce succeeds again once space is
 * freed. Needs root to mount the tmpfs; skipped with a message otherwise.
 */
@Timeout(60)
class PartitionDiskFullTest {
  private static final long MIN_FREE_BYTES = 32L << 20;

  @TempDir Path tmp;
  private Path mountPoint;
  private boolean mounted;
  private PartitionHarness h;

  @BeforeEach
  void mount() throws Exception {
    mountPoint = tmp.resolve("disk");
    Files.createDirectories(mountPoint);
    mounted = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mountPoint.toString());
    assumeTrue(mounted, "cannot mount a tmpfs here (needs root): full-disk test skipped");
    h =
        new PartitionHarness(
            LogStoreConfig.defaults(mountPoint.resolve("store"))
                .withWriteBufferBytes(1L << 20)
                .withMinFreeBytes(MIN_FREE_BYTES));
  }

  @AfterEach
  void unmount() throws Exception {
    if (h != null) {
      h.close();
    }
    if (mounted) {
      assertTrue(run("umount", mountPoint.toString()), "umount " + mountPoint);
    }
  }

  @Test
  void produceGetsStorageFullAtOnceReadsGoOnAndWritesResume() throws Exception {
    h.becomeLeader(1);
    h.sm.produce(validated(-1, 0, 0, 3), Acks.ALL);
    h.commitAll();
    assertEquals(3, h.sm.highWatermark());

    int proposedBefore = h.group.proposed().size();
    Path ballast = mountPoint.resolve("ballast");
    Files.write(ballast, new byte[40 << 20]);
    Thread.sleep(150); // the free space is re-read at most every 100 ms
    CompletableFuture<ProduceResult> refused = h.sm.produce(validated(-1, 0, 0, 1), Acks.ALL);
    assertTrue(refused.isDone(), "STORAGE_FULL must be immediate, not a wait");
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
    PartitionException pe = assertInstanceOf(PartitionException.class, e.getCause());
    assertEquals(ErrorCode.STORAGE_FULL, pe.code());
    assertTrue(pe.getMessage().contains("storage.min.free.bytes"), pe.getMessage());
    assertEquals(proposedBefore, h.group.proposed().size(), "the refused batch is not proposed");
    assertEquals(0, h.sm.read(0, 1 << 20, false).batches().get(0).baseOffset(), "reads go on");

    Files.delete(ballast);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      CompletableFuture<ProduceResult> again = h.sm.produce(validated(-1, 0, 0, 1), Acks.ALL);
      if (!again.isCompletedExceptionally()) {
        h.commitAll();
        assertEquals(3, again.get(5, TimeUnit.SECONDS).baseOffset());
        return;
      }
      assertTrue(System.nanoTime() < deadline, "produce did not resume after space was freed");
      Thread.sleep(20);
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    return done && p.exitValue() == 0;
  }
}
