package io.keel.client.testing;

import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One partition of the fake cluster: its leader, its log and its producers' sequences. */
public final class FakePartition {
  /** The last batch a producer wrote: enough to dedup a resend of it. */
  record ProducerEntry(int baseSequence, int lastSequence, long baseOffset) {}

  volatile int leaderId;
  volatile long leaderEpoch = 1;
  final List<byte[]> batches = new ArrayList<>(); // stamped with base offsets, in order
  final Map<Long, List<ProducerEntry>> producers = new HashMap<>();
  long logStartOffset;
  long nextOffset;

  FakePartition(int leaderId) {
    this.leaderId = leaderId;
  }

  /** Appends a copy of {@code batch}; returns its base offset. Caller holds the cluster lock. */
  long append(byte[] batch) {
    byte[] copy = batch.clone();
    RecordBatch decoded = RecordBatch.decode(copy);
    long base = nextOffset;
    RecordBatch.withBaseOffset(copy, base);
    batches.add(copy);
    nextOffset += decoded.recordCount();
    return base;
  }

  /** Every record in the log, decoded. Caller holds the cluster lock. */
  List<Record> records() {
    List<Record> all = new ArrayList<>();
    for (byte[] b : batches) {
      all.addAll(RecordBatch.decode(b).records());
    }
    return all;
  }
}
