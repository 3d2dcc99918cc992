package io.keel.client.internal;

import com.google.protobuf.ByteString;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchBuilder;
import io.keel.proto.records.RecordBatchLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CPU time the consumer spends turning one parsed fetch response into records: the batches read
 * where protobuf's parse put them, against the copy {@code ByteString.toByteArray} used to make
 * first. Off by default; run with {@code ./mvnw -B -pl client test -Dtest=FetchDecodeBenchmarkTest
 * -Dkeel.bench=true -Dsurefire.failIfNoSpecifiedTests=false}. Thread CPU time, alternating rounds,
 * medians: meaningful on a shared machine where wall-clock throughput is not.
 */
@EnabledIfSystemProperty(named = "keel.bench", matches = "true")
class FetchDecodeBenchmarkTest {
  private static final int BATCHES = 16;
  private static final int RECORDS_PER_BATCH = 64;
  private static final int RECORD_BYTES = 1024;
  private static volatile long observed;

  @Test
  void cpuPerMillionRecordsDecoded() throws Exception {
    FetchPartitionResponse response = FetchPartitionResponse.parseFrom(response().toByteArray());
    Function<ByteString, RecordBatch> copied = bytes -> RecordBatch.decode(bytes.toByteArray());
    Function<ByteString, RecordBatch> inPlace =
        bytes -> RecordBatch.decode(ByteStrings.view(bytes), RecordBatchLimits.DEFAULTS);
    double[] copy = new double[7];
    double[] view = new double[7];
    for (int round = -3; round < copy.length; round++) { // three rounds of warm-up each
      double c = secondsPerMillion(response, copied);
      double v = secondsPerMillion(response, inPlace);
      if (round >= 0) {
        copy[round] = c;
        view[round] = v;
      }
    }
    double c = median(copy);
    double v = median(view);
    System.out.printf(
        "fetch decode, CPU s per million 1 KiB records (median of %d): toByteArray first %.3f,"
            + " in place %.3f (%.2fx)%n",
        copy.length, c, v, v / c);
  }

  private static double secondsPerMillion(
      FetchPartitionResponse response, Function<ByteString, RecordBatch> decode) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long records = 0;
    long sink = 0;
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < 300; i++) {
      for (ByteString bytes : response.getRecordBatchesList()) {
        for (Record r : decode.apply(bytes).records()) {
          sink += r.value().length;
          records++;
        }
      }
    }
    double seconds = (cpu.getCurrentThreadCpuTime() - start) / 1e9;
    observed = sink; // keeps the decoded values live, so the JIT cannot drop the decode
    return seconds / records * 1e6;
  }

  private static FetchPartitionResponse response() {
    Random random = new Random(1);
    FetchPartitionResponse.Builder b = FetchPartitionResponse.newBuilder().setTopic("t");
    for (int batch = 0; batch < BATCHES; batch++) {
      RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
      for (int i = 0; i < RECORDS_PER_BATCH; i++) {
        byte[] value = new byte[RECORD_BYTES];
        random.nextBytes(value);
        builder.append(1_000L + i, null, value);
      }
      b.addRecordBatches(ByteString.copyFrom(builder.build()));
    }
    return b.build();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
