package io.keel.broker.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Drainable;
import io.grpc.protobuf.ProtoUtils;
import io.keel.logstore.StoredBatch;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The copies a fetched batch costs on its way into gRPC's outbound stream. */
@Timeout(30)
class FetchWireTest {
  private static final int AT = 37;
  private static final int BATCH_BYTES = 128 * 1024;

  @Test
  void aStoredBatchReachesGrpcsStreamInOneWriteStraightFromTheArrayItWasReadInto()
      throws IOException {
    byte[] stored = new byte[AT + BATCH_BYTES + 11];
    new Random(7).nextBytes(stored);
    StoredBatch batch = new StoredBatch(40, 64, 1_000, 9, stored, AT, BATCH_BYTES);
    FetchResponse response =
        FetchResponse.newBuilder()
            .addPartitions(
                FetchPartitionResponse.newBuilder()
                    .setTopic("t")
                    .addRecordBatches(PartitionRequests.onTheWire(batch)))
            .build();

    // What gRPC's message framer does with a response: drain the marshaller's stream into its own.
    Recorder framer = new Recorder(stored);
    InputStream message =
        ProtoUtils.marshaller(FetchResponse.getDefaultInstance()).stream(response);
    ((Drainable) message).drainTo(framer);

    assertTrue(
        framer.largestWriteFromStored >= BATCH_BYTES - 4096,
        "the batch must be written from the stored array, not copied through a staging buffer"
            + " first; largest write from it: "
            + framer.largestWriteFromStored
            + " bytes, writes: "
            + framer.writes);
    byte[] back =
        FetchResponse.parseFrom(framer.toByteArray())
            .getPartitions(0)
            .getRecordBatches(0)
            .toByteArray();
    assertArrayEquals(Arrays.copyOfRange(stored, AT, AT + BATCH_BYTES), back);
    assertEquals(BATCH_BYTES, batch.sizeBytes());
  }

  private static final class Recorder extends ByteArrayOutputStream {
    private final byte[] stored;
    int largestWriteFromStored;
    int writes;

    Recorder(byte[] stored) {
      this.stored = stored;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writes++;
      if (b == stored) {
        largestWriteFromStored = Math.max(largestWriteFromStored, len);
      }
      super.write(b, off, len);
    }
  }
}
