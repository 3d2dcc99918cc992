package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.partition.ProducerSequencer.Decision;
import io.keel.broker.partition.ProducerSequencer.Inflight;
import io.keel.proto.ErrorCode;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProducerSequencerTest {
  private static final long PID = 7;

  private final ProducerStateTable table = new ProducerStateTable(100);
  private final ProducerSequencer sequencer = new ProducerSequencer(table);

  private static ProducerBatch batch(int epoch, int baseSeq, int count) {
    return ProducerBatch.of(PID, (short) epoch, baseSeq, count);
  }

  private static Decision.Refuse refused(Decision d, ErrorCode code) {
    Decision.Refuse r = assertInstanceOf(Decision.Refuse.class, d);
    assertEquals(code, r.code(), r.message());
    return r;
  }

  @Test
  void newProducerMustStartAtSequenceZero() {
    assertInstanceOf(Decision.Accept.class, sequencer.check(batch(0, 0, 3)));
    Decision.Refuse r = refused(sequencer.check(batch(0, 5, 3)), ErrorCode.OUT_OF_ORDER_SEQUENCE);
    assertTrue(r.message().contains("expected sequence 0, got 5"), r.message());
    assertTrue(r.sequenceAhead(), "batch 0 may still arrive");
  }

  @Test
  void retryOfCommittedBatchReturnsItsOriginalOffset() {
    table.record(batch(0, 0, 3), 100, 1_000);
    table.record(batch(0, 3, 2), 103, 1_001);
    Decision d = sequencer.check(batch(0, 0, 3));
    assertEquals(
        100, assertInstanceOf(Decision.DuplicateOfCommitted.class, d).original().baseOffset());
    assertInstanceOf(Decision.Accept.class, sequencer.check(batch(0, 5, 1)));
  }

  @Test
  void gapInSequenceIsOutOfOrder() {
    table.record(batch(0, 0, 3), 0, 1_000);
    Decision.Refuse r = refused(sequencer.check(batch(0, 4, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE);
    assertTrue(r.message().contains("expected sequence 3, got 4"), r.message());
    assertTrue(r.sequenceAhead());
    assertFalse(
        refused(sequencer.check(batch(0, 2, 2)), ErrorCode.OUT_OF_ORDER_SEQUENCE).sequenceAhead(),
        "a batch overlapping committed sequences can never become valid");
  }

  @Test
  void staleEpochIsFencedAndNewEpochRestartsAtZero() {
    table.record(batch(2, 0, 1), 0, 1_000);
    refused(sequencer.check(batch(1, 1, 1)), ErrorCode.PRODUCER_FENCED);
    refused(sequencer.check(batch(3, 1, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE);
    assertInstanceOf(Decision.Accept.class, sequencer.check(batch(3, 0, 1)));
  }

  @Test
  void sequenceOlderThanTheKeptWindowIsADuplicateSequenceError() {
    for (int i = 0; i < 7; i++) {
      table.record(batch(0, i, 1), i, 1_000);
    }
    refused(sequencer.check(batch(0, 0, 1)), ErrorCode.DUPLICATE_SEQUENCE);
    assertInstanceOf(Decision.DuplicateOfCommitted.class, sequencer.check(batch(0, 2, 1)));
  }

  @Test
  void retryOfInflightBatchJoinsTheOriginalAndNextBatchFollowsIt() {
    table.record(batch(0, 0, 2), 0, 1_000);
    Inflight inflight =
        new Inflight(batch(0, 2, 2), 2, new CompletableFuture<>(), new CompletableFuture<>());
    sequencer.track(inflight);
    Decision d = sequencer.check(batch(0, 2, 2));
    assertSame(inflight, assertInstanceOf(Decision.DuplicateOfInflight.class, d).original());
    assertInstanceOf(Decision.Accept.class, sequencer.check(batch(0, 4, 1)));
    refused(sequencer.check(batch(0, 2, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE);
    table.record(inflight.batch(), 2, 1_001);
    sequencer.settle(inflight);
    assertEquals(0, sequencer.inflightCount());
    assertInstanceOf(Decision.DuplicateOfCommitted.class, sequencer.check(batch(0, 2, 2)));
  }

  @Test
  void nonIdempotentBatchesAreAlwaysAccepted() {
    ProducerBatch plain = ProducerBatch.of(ProducerBatch.NO_PRODUCER_ID, (short) -1, -1, 5);
    assertInstanceOf(Decision.Accept.class, sequencer.check(plain));
    assertInstanceOf(Decision.Accept.class, sequencer.check(plain));
  }

  @Test
  void sequenceWrapsAfterIntMax() {
    ProducerBatch last = ProducerBatch.of(PID, (short) 0, Integer.MAX_VALUE - 1, 2);
    assertEquals(Integer.MAX_VALUE, last.lastSeq());
    table.record(new ProducerBatch(PID, (short) 0, 1, Integer.MAX_VALUE), 1, 0);
    assertInstanceOf(Decision.Accept.class, sequencer.check(batch(0, 0, 1)));
  }

  @Test
  void tableRoundTripsThroughItsEncoding() {
    table.record(batch(1, 0, 3), 10, 5);
    table.record(ProducerBatch.of(99, (short) 4, 0, 1), 13, 6);
    ByteBuffer buf = ByteBuffer.allocate(table.encodedBytes());
    table.writeTo(buf);
    assertEquals(0, buf.remaining());
    ProducerStateTable copy = new ProducerStateTable(100);
    copy.readFrom(buf.flip());
    assertEquals(table.get(PID), copy.get(PID));
    assertEquals(table.get(99), copy.get(99));
    assertEquals(2, copy.size());
  }

  @Test
  void evictsTheProducerWithTheOldestLastBatch() {
    ProducerStateTable small = new ProducerStateTable(2);
    small.record(ProducerBatch.of(1, (short) 0, 0, 1), 0, 300);
    small.record(ProducerBatch.of(2, (short) 0, 0, 1), 1, 100);
    small.record(ProducerBatch.of(3, (short) 0, 0, 1), 2, 200);
    assertTrue(small.get(2).isEmpty());
    assertEquals(2, small.size());
  }
}
