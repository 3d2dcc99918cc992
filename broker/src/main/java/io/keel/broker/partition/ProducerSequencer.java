package io.keel.broker.partition;

import io.keel.broker.partition.ProducerStateTable.BatchMetadata;
import io.keel.broker.partition.ProducerStateTable.ProducerState;
import io.keel.proto.ErrorCode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Leader-side idempotence for one partition: decides whether a batch is new, a retry of a committed
 * or in-flight batch, or refused. It reads the committed {@link ProducerStateTable} and tracks the
 * batches this leader proposed that are not applied yet, so a retry of an in-flight batch waits for
 * the original instead of being proposed twice. Not thread-safe: used only on the partition's event
 * loop.
 */
final class ProducerSequencer {

  /** A batch this leader proposed and has not yet seen applied. */
  record Inflight(
      ProducerBatch batch,
      long baseOffset,
      CompletableFuture<Void> appended,
      CompletableFuture<Void> committed) {}

  /** What to do with a produced batch. */
  sealed interface Decision {
    record Accept() implements Decision {}

    record DuplicateOfCommitted(BatchMetadata original) implements Decision {}

    record DuplicateOfInflight(Inflight original) implements Decision {}

    /**
     * @param sequenceAhead the batch starts after the expected sequence, so the batches in between
     *     may still arrive (requests of one producer can overtake each other on the way in)
     */
    record Refuse(ErrorCode code, String message, boolean sequenceAhead) implements Decision {
      Refuse(ErrorCode code, String message) {
        this(code, message, false);
      }
    }
  }

  private static final long MAX_SEQ = Integer.MAX_VALUE;
  private static final long AHEAD_LIMIT = 1L << 30;

  private final ProducerStateTable committed;
  // Invariant: each deque is in proposal (and so sequence) order and never empty.
  private final Map<Long, Deque<Inflight>> inflight = new HashMap<>();

  ProducerSequencer(ProducerStateTable committed) {
    this.committed = committed;
  }

  Decision check(ProducerBatch batch) {
    if (!batch.idempotent()) {
      return new Decision.Accept();
    }
    Deque<Inflight> pending = inflight.get(batch.producerId());
    Optional<ProducerState> state = committed.get(batch.producerId());
    if (pending == null && state.isEmpty()) {
      return batch.firstSeq() == 0
          ? new Decision.Accept()
          : outOfOrder(batch, 0, "the producer has no state on this partition");
    }
    short knownEpoch = pending != null ? pending.getLast().batch().epoch() : state.get().epoch();
    if (batch.epoch() < knownEpoch) {
      return new Decision.Refuse(
          ErrorCode.PRODUCER_FENCED,
          String.format(
              "producer %d epoch %d is fenced by epoch %d",
              batch.producerId(), batch.epoch(), knownEpoch));
    }
    if (batch.epoch() > knownEpoch) {
      return batch.firstSeq() == 0
          ? new Decision.Accept()
          : outOfOrder(batch, 0, "a new epoch starts at sequence 0");
    }
    return checkSameEpoch(batch, pending, state);
  }

  private static Decision checkSameEpoch(
      ProducerBatch batch, Deque<Inflight> pending, Optional<ProducerState> state) {
    if (pending != null) {
      for (Inflight p : pending) {
        if (sameSeqs(p.batch().firstSeq(), p.batch().lastSeq(), batch)) {
          return new Decision.DuplicateOfInflight(p);
        }
      }
    }
    if (state.isPresent() && state.get().epoch() == batch.epoch()) {
      for (BatchMetadata b : state.get().batches()) {
        if (sameSeqs(b.firstSeq(), b.lastSeq(), batch)) {
          return new Decision.DuplicateOfCommitted(b);
        }
      }
    }
    int lastSeq =
        pending != null ? pending.getLast().batch().lastSeq() : state.get().last().lastSeq();
    int expected = ProducerBatch.nextSeq(lastSeq, 1);
    if (batch.firstSeq() == expected) {
      return new Decision.Accept();
    }
    boolean committedSameEpoch = state.isPresent() && state.get().epoch() == batch.epoch();
    int oldestKept =
        committedSameEpoch
            ? state.get().batches().getFirst().firstSeq()
            : pending.getFirst().batch().firstSeq();
    if (batch.lastSeq() < oldestKept) {
      return new Decision.Refuse(
          ErrorCode.DUPLICATE_SEQUENCE,
          String.format(
              "producer %d epoch %d sequences %d..%d are older than the last %d batches kept",
              batch.producerId(),
              batch.epoch(),
              batch.firstSeq(),
              batch.lastSeq(),
              ProducerStateTable.BATCHES_KEPT));
    }
    return outOfOrder(batch, expected, "sequences must be contiguous");
  }

  private static boolean sameSeqs(int firstSeq, int lastSeq, ProducerBatch batch) {
    return firstSeq == batch.firstSeq() && lastSeq == batch.lastSeq();
  }

  private static Decision outOfOrder(ProducerBatch batch, int expected, String why) {
    return new Decision.Refuse(
        ErrorCode.OUT_OF_ORDER_SEQUENCE,
        String.format(
            "producer %d epoch %d: expected sequence %d, got %d (%s)",
            batch.producerId(), batch.epoch(), expected, batch.firstSeq(), why),
        isAhead(expected, batch.firstSeq()));
  }

  /** Whether {@code firstSeq} lies after {@code expected}, less than half the wrapping space on. */
  private static boolean isAhead(int expected, int firstSeq) {
    long distance = firstSeq >= expected ? firstSeq - expected : MAX_SEQ - expected + firstSeq + 1L;
    return distance > 0 && distance < AHEAD_LIMIT;
  }

  void track(Inflight proposed) {
    if (proposed.batch().idempotent()) {
      inflight
          .computeIfAbsent(proposed.batch().producerId(), id -> new ArrayDeque<>())
          .addLast(proposed);
    }
  }

  /** The proposal finished (applied or failed): the committed table now answers for it. */
  void settle(Inflight proposed) {
    Deque<Inflight> pending = inflight.get(proposed.batch().producerId());
    if (pending != null) {
      pending.remove(proposed);
      if (pending.isEmpty()) {
        inflight.remove(proposed.batch().producerId());
      }
    }
  }

  /** Leadership lost: every in-flight proposal will fail on its own. */
  void clear() {
    inflight.clear();
  }

  int inflightCount() {
    return inflight.values().stream().mapToInt(Deque::size).sum();
  }
}
