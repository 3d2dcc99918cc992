package io.keel.broker.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Drainable;
import io.grpc.protobuf.ProtoUtils;
import io.keel.logstore.StoredBatch;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CPU time the broker spends on a fetched 1 MiB response between the segment read and the socket:
 * gRPC's marshaller drained into a stream that copies into a direct buffer, as gRPC's framer copies
 * into Netty's. Stored batches lent as arrays against wrapped as {@link ByteBuffer}s (how earlier
 * builds did it), and the cost of the envelope CRC pass that partition reads no longer make. Off by
 * default; run with {@code ./mvnw -B -pl broker test -Dtest=FetchEncodeBenchmarkTest
 * -Dkeel.bench=true -Dsurefire.failIfNoSpecifiedTests=false}. Thread CPU time, alternating rounds,
 * medians.
 */
@EnabledIfSystemProperty(named = "keel.bench", matches = "true")
class FetchEncodeBenchmarkTest {
  private static final int BATCHES = 16;
  private static final int BATCH_BYTES = 64 * 1024;
  private static final int RECORDS_PER_BATCH = 64;
  private static final int ROUNDS = 7;
  // The segment frame's 25-byte header and the envelope's 33 bytes come before the batch.
  private static final int HEADERS = 25 + 33;
  private static volatile long observed;

  @Test
  void cpuPerMillionRecordsEncoded() throws IOException {
    List<StoredBatch> stored = stored();
    double[] wrapped = new double[ROUNDS];
    double[] lent = new double[ROUNDS];
    double[] crc = new double[ROUNDS];
    for (int round = -3; round < ROUNDS; round++) { // three rounds of warm-up each
      double w = encodeSeconds(stored, b -> UnsafeByteOperations.unsafeWrap(b.batch()));
      double l = encodeSeconds(stored, PartitionRequests::onTheWire);
      double c = crcSeconds(stored);
      if (round >= 0) {
        wrapped[round] = w;
        lent[round] = l;
        crc[round] = c;
      }
    }
    double w = median(wrapped);
    double l = median(lent);
    double c = median(crc);
    System.out.printf(
        "fetch encode, CPU s per million 1 KiB records (median of %d): ByteBuffer wrapped %.3f,"
            + " array lent %.3f (%.2fx); the dropped envelope CRC pass cost %.3f; before %.3f,"
            + " now %.3f (%.2fx)%n",
        ROUNDS, w, l, l / w, c, w + c, l, l / (w + c));
  }

  private static double encodeSeconds(
      List<StoredBatch> stored, Function<StoredBatch, ByteString> wire) throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    ByteBuffer netty = ByteBuffer.allocateDirect(2 * BATCHES * BATCH_BYTES);
    OutputStream framer =
        new OutputStream() {
          @Override
          public void write(int b) {
            netty.put((byte) b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            netty.put(b, off, len);
          }
        };
    long start = cpu.getCurrentThreadCpuTime();
    int responses = 200;
    for (int i = 0; i < responses; i++) {
      FetchPartitionResponse.Builder p = FetchPartitionResponse.newBuilder().setTopic("t");
      for (StoredBatch b : stored) {
        p.addRecordBatches(wire.apply(b));
      }
      FetchResponse response = FetchResponse.newBuilder().addPartitions(p).build();
      netty.clear();
      InputStream message =
          ProtoUtils.marshaller(FetchResponse.getDefaultInstance()).stream(response);
      ((Drainable) message).drainTo(framer);
    }
    double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
    observed = netty.position();
    return seconds / ((long) responses * BATCHES * RECORDS_PER_BATCH) * 1e6;
  }

  private static double crcSeconds(List<StoredBatch> stored) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long start = cpu.getCurrentThreadCpuTime();
    long sink = 0;
    int responses = 200;
    for (int i = 0; i < responses; i++) {
      for (StoredBatch b : stored) {
        CRC32C crc = new CRC32C();
        crc.update(b.batch());
        sink += crc.getValue();
      }
    }
    double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
    observed = sink;
    return seconds / ((long) responses * BATCHES * RECORDS_PER_BATCH) * 1e6;
  }

  private static List<StoredBatch> stored() {
    Random random = new Random(3);
    List<StoredBatch> out = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      byte[] frame = new byte[HEADERS + BATCH_BYTES];
      random.nextBytes(frame);
      out.add(new StoredBatch(i * 64L, RECORDS_PER_BATCH, 0, i + 1, frame, HEADERS, BATCH_BYTES));
    }
    return out;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
