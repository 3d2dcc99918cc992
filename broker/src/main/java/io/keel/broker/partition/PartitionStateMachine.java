package io.keel.broker.partition;

import io.keel.broker.partition.ParkedProduces.Parked;
import io.keel.broker.partition.ProducerSequencer.Decision;
import io.keel.broker.partition.ProducerSequencer.Inflight;
import io.keel.broker.raft.GroupStateMachine;
import io.keel.broker.raft.Proposal;
import io.keel.broker.raft.RaftGroup;
import io.keel.logstore.BatchEnvelope;
import io.keel.logstore.PartitionLog;
import io.keel.logstore.RetentionPolicy;
import io.keel.logstore.RetentionResult;
import io.keel.logstore.StorageFullException;
import io.keel.logstore.StoredBatch;
import io.keel.proto.ErrorCode;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.raft.Checks;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.NotLeaderException;
import io.keel.raft.ProposalRejectedException;
import io.keel.raft.RaftRole;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One replica of one partition: applies committed batch envelopes on every replica and, on the
 * leader, turns produce requests into proposals. Every method runs on the group's event loop.
 *
 * <p>The high watermark is the end offset of the last applied (so committed) envelope; fetches
 * never see past it, so a consumer never reads data a new leader could truncate. A new leader
 * accepts produce requests only once it has applied an entry of its own term: by then every entry
 * of earlier terms is applied, so the committed producer table is complete and no retry of an
 * earlier leader's batch can be proposed twice.
 */
public final class PartitionStateMachine implements GroupStateMachine {
  private static final int SNAPSHOT_VERSION = 1;
  // How long a batch that is ahead of its producer's sequence waits for the batches before it.
  private static final Duration DEFAULT_SEQUENCE_GAP_WAIT = Duration.ofSeconds(1);

  private final PartitionId id;
  private final PartitionLog log;
  private final ProducerStateTable producers;
  private final ProducerSequencer sequencer;
  private final FetchWaiters waiters = new FetchWaiters();
  // Produces that arrived before this leader was ready, in arrival order.
  private final ArrayDeque<QueuedProduce> awaitingLeaderReady = new ArrayDeque<>();
  private final ParkedProduces parked = new ParkedProduces();
  private final Duration sequenceGapWait;
  // Set once from the thread that starts the group; read on the loop.
  private volatile RaftGroup group;
  // Offset after the last batch at or below the index retention next compacts to (see compactTo).
  private long compactionStartOffset = -1;

  // Invariant: highWatermark == nextOffset of the last applied envelope (0 before any).
  private long highWatermark;
  // Raft index of the last applied entry; reads stop there.
  private long appliedIndex;
  private long appliedTerm;

  private boolean leader;
  private long leaderTerm;
  // Invariant: leaderReady implies leader and an entry of leaderTerm has been applied.
  private boolean leaderReady;
  // Leader only, once ready: offset the next proposed batch gets.
  private long nextOffset;

  public PartitionStateMachine(PartitionId id, PartitionLog log, int maxProducerIds) {
    this(id, log, maxProducerIds, DEFAULT_SEQUENCE_GAP_WAIT);
  }

  /**
   * @param sequenceGapWait how long a batch of an idempotent producer that arrives ahead of its
   *     sequence waits for the missing batches before it is refused as OUT_OF_ORDER_SEQUENCE
   */
  public PartitionStateMachine(
      PartitionId id, PartitionLog log, int maxProducerIds, Duration sequenceGapWait) {
    this.id = id;
    this.log = log;
    this.sequenceGapWait = sequenceGapWait;
    this.producers = new ProducerStateTable(maxProducerIds);
    this.sequencer = new ProducerSequencer(producers);
  }

  /** Connects the replica's group handle; called once, right after the group starts. */
  public void attach(RaftGroup raftGroup) {
    Checks.state(group == null, "partition %s already attached to a group", id);
    this.group = raftGroup;
  }

  public PartitionId id() {
    return id;
  }

  // ------------------------------------------------------------------ GroupStateMachine

  @Override
  public void apply(Entry entry) {
    Checks.state(
        entry.index() > appliedIndex,
        "partition %s applied index %s after %s",
        id,
        entry.index(),
        appliedIndex);
    if (entry.type() == EntryType.NORMAL && BatchEnvelope.isEnvelope(entry.data())) {
      applyBatch(entry);
    }
    appliedIndex = entry.index();
    appliedTerm = entry.term();
    maybeBecomeReady();
    waiters.wakeAll();
  }

  private void applyBatch(Entry entry) {
    BatchEnvelope envelope;
    try {
      envelope = BatchEnvelope.decode(entry.data());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "partition "
              + id
              + " committed entry "
              + entry.index()
              + " is corrupt: "
              + e.getMessage(),
          e);
    }
    if (envelope.nextOffset() <= highWatermark) {
      // Already covered by a snapshot taken at a later applied index than it is labelled with.
      return;
    }
    Checks.state(
        envelope.baseOffset() == highWatermark,
        "partition %s entry %s has base offset %s, expected %s",
        id,
        entry.index(),
        envelope.baseOffset(),
        highWatermark);
    ProducerBatch producer = RecordBatches.producerOf(envelope.batchBytes());
    if (producer.idempotent()) {
      producers.record(producer, envelope.baseOffset(), envelope.maxTimestamp());
    }
    highWatermark = envelope.nextOffset();
  }

  @Override
  public byte[] takeSnapshot() {
    // The image is of the applied state, which may be later than the index it is labelled with;
    // apply() skips the covered envelopes when they are replayed. startOffset is where the
    // labelled index's successors continue, for a replica whose log the snapshot replaces.
    long startOffset = compactionStartOffset >= 0 ? compactionStartOffset : highWatermark;
    ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + producers.encodedBytes());
    out.putInt(SNAPSHOT_VERSION).putLong(highWatermark).putLong(startOffset);
    producers.writeTo(out);
    Checks.state(!out.hasRemaining(), "partition %s snapshot size mismatch", id);
    return out.array();
  }

  @Override
  public void restoreSnapshot(Snapshot snapshot) {
    ByteBuffer in = ByteBuffer.wrap(snapshot.data());
    if (in.remaining() == 0) {
      // The bootstrap snapshot of a new group: nothing applied yet.
      Checks.state(
          snapshot.index() == 0, "partition %s empty snapshot at %s", id, snapshot.index());
      return;
    }
    int version = in.getInt();
    Checks.state(
        version == SNAPSHOT_VERSION, "partition %s snapshot version %s unknown", id, version);
    highWatermark = in.getLong();
    long startOffset = in.getLong();
    producers.readFrom(in);
    if (log.logStartOffset() == log.nextOffset() && log.nextOffset() != startOffset) {
      log.resetNextOffset(startOffset);
    }
    appliedIndex = snapshot.index();
    appliedTerm = snapshot.term();
    sequencer.clear();
    waiters.wakeAll();
  }

  @Override
  public void onRoleChange(SoftState state) {
    boolean nowLeader = state.role() == RaftRole.LEADER;
    if (nowLeader && !(leader && leaderTerm == state.term())) {
      leader = true;
      leaderTerm = state.term();
      leaderReady = false;
      sequencer.clear();
      maybeBecomeReady();
    } else if (!nowLeader && leader) {
      stepDown();
    }
    waiters.wakeAll();
  }

  private void stepDown() {
    leader = false;
    leaderReady = false;
    sequencer.clear();
    for (Parked p : parked.takeAll()) {
      p.result().completeExceptionally(notLeader());
    }
    scheduleQueuedProduces();
  }

  private void maybeBecomeReady() {
    if (!leader || leaderReady || appliedTerm != leaderTerm) {
      return;
    }
    leaderReady = true;
    nextOffset = log.nextOffset();
    Checks.state(
        nextOffset == highWatermark,
        "partition %s new leader's log ends at %s but its high watermark is %s",
        id,
        nextOffset,
        highWatermark);
    scheduleQueuedProduces();
  }

  /** Runs the queued produces as a new loop task: proposing from a callback is not allowed. */
  private void scheduleQueuedProduces() {
    if (!awaitingLeaderReady.isEmpty()) {
      group.executor().execute(this::drainQueuedProduces);
    }
  }

  private void drainQueuedProduces() {
    while (!awaitingLeaderReady.isEmpty() && (leaderReady || !leader)) {
      QueuedProduce q = awaitingLeaderReady.poll();
      produceNow(q.batch(), q.acks(), true).whenComplete(completeInto(q.result()));
    }
  }

  private record QueuedProduce(
      ValidatedBatch batch, Acks acks, CompletableFuture<ProduceResult> result) {}

  // ------------------------------------------------------------------ produce

  /** Appends a validated batch (leader only); the future fails with {@link PartitionException}. */
  public CompletableFuture<ProduceResult> produce(ValidatedBatch batch, Acks acks) {
    if (!leader) {
      return CompletableFuture.failedFuture(notLeader());
    }
    try {
      log.checkSpaceFor(batch.batchBytes().length);
    } catch (StorageFullException e) {
      // Refused before it is proposed, so nothing of it is stored; retriable once space returns.
      return CompletableFuture.failedFuture(
          new PartitionException(
              ErrorCode.STORAGE_FULL, "partition " + id + ": " + e.getMessage()));
    }
    if (!leaderReady || !awaitingLeaderReady.isEmpty()) {
      // Queued behind earlier arrivals too, so one producer's batches keep their order.
      CompletableFuture<ProduceResult> later = new CompletableFuture<>();
      awaitingLeaderReady.add(new QueuedProduce(batch, acks, later));
      return later;
    }
    return produceNow(batch, acks, true);
  }

  private CompletableFuture<ProduceResult> produceNow(
      ValidatedBatch batch, Acks acks, boolean mayPark) {
    if (!leader) {
      return CompletableFuture.failedFuture(notLeader());
    }
    Decision decision = sequencer.check(batch.producer());
    if (mayPark && decision instanceof Decision.Refuse r && r.sequenceAhead()) {
      CompletableFuture<ProduceResult> later =
          park(new Parked(batch, acks, new CompletableFuture<>()));
      if (later != null) {
        return later;
      }
    }
    return switch (decision) {
      case Decision.Accept a -> proposeAndReleaseParked(batch, acks);
      case Decision.DuplicateOfCommitted d ->
          CompletableFuture.completedFuture(
              new ProduceResult(d.original().baseOffset(), log.logStartOffset()));
      case Decision.DuplicateOfInflight d -> answerWhen(d.original(), acks);
      case Decision.Refuse r ->
          CompletableFuture.failedFuture(
              new PartitionException(r.code(), "partition " + id + ": " + r.message()));
    };
  }

  /** Parks {@code p} until its predecessors arrive or the wait passes; null when it is full. */
  private CompletableFuture<ProduceResult> park(Parked p) {
    if (!parked.tryPark(p)) {
      return null;
    }
    Executor loop = group.executor();
    CompletableFuture.delayedExecutor(sequenceGapWait.toMillis(), TimeUnit.MILLISECONDS, loop)
        .execute(() -> expire(p));
    return p.result();
  }

  private void expire(Parked p) {
    if (parked.remove(p)) {
      produceNow(p.batch(), p.acks(), false).whenComplete(completeInto(p.result()));
    }
  }

  private CompletableFuture<ProduceResult> proposeAndReleaseParked(
      ValidatedBatch batch, Acks acks) {
    CompletableFuture<ProduceResult> answer = propose(batch, acks);
    if (batch.producer().idempotent()) {
      releaseParked(batch.producer().producerId());
    }
    return answer;
  }

  /** The producer's expected sequence moved: retries its parked batches, in arrival order. */
  private void releaseParked(long producerId) {
    for (Parked p : parked.takeAll(producerId)) {
      boolean stillAhead =
          sequencer.check(p.batch().producer()) instanceof Decision.Refuse r && r.sequenceAhead();
      if (!stillAhead || !parked.tryPark(p)) {
        produceNow(p.batch(), p.acks(), false).whenComplete(completeInto(p.result()));
      }
    }
  }

  private CompletableFuture<ProduceResult> propose(ValidatedBatch batch, Acks acks) {
    BatchEnvelope envelope =
        new BatchEnvelope(
            nextOffset,
            batch.recordCount(),
            batch.maxTimestamp(),
            batch.firstTimestamp(),
            RecordBatches.withBaseOffset(batch.batchBytes(), nextOffset));
    Proposal proposal;
    try {
      proposal = group.propose(envelope.encode());
    } catch (NotLeaderException e) {
      return CompletableFuture.failedFuture(notLeader());
    } catch (ProposalRejectedException e) {
      // The leader's uncommitted limit: nothing was appended, so nextOffset stays (THROTTLED).
      return CompletableFuture.failedFuture(e);
    }
    nextOffset = envelope.nextOffset();
    Inflight inflight =
        new Inflight(
            batch.producer(), envelope.baseOffset(), proposal.appended(), proposal.committed());
    sequencer.track(inflight);
    // The proposal's futures complete on this loop: settle inline, not as another loop task.
    proposal.committed().whenComplete((ok, err) -> sequencer.settle(inflight));
    return answerWhen(inflight, acks);
  }

  private CompletableFuture<ProduceResult> answerWhen(Inflight inflight, Acks acks) {
    CompletableFuture<Void> done =
        switch (acks) {
          case NONE -> CompletableFuture.completedFuture(null);
          case LEADER -> inflight.appended();
          case ALL -> inflight.committed();
        };
    long baseOffset = acks == Acks.NONE ? -1 : inflight.baseOffset();
    return done.handle(
        (ok, err) -> {
          if (err != null) {
            throw notLeader();
          }
          return new ProduceResult(baseOffset, log.logStartOffset());
        });
  }

  private static <T> BiConsumer<T, Throwable> completeInto(CompletableFuture<T> target) {
    return (value, err) -> {
      if (err != null) {
        target.completeExceptionally(err);
      } else {
        target.complete(value);
      }
    };
  }

  private PartitionException notLeader() {
    int leaderId = group == null || group.isLeader() ? 0 : group.leaderId();
    return PartitionException.notLeader(id.toString(), leaderId);
  }

  // ------------------------------------------------------------------ fetch and offsets

  /**
   * Reads committed batches from {@code fetchOffset}, at most {@code maxBytes} of them unless
   * {@code atLeastOneBatch} and the first batch alone is larger, here on the loop.
   */
  public PartitionRead read(long fetchOffset, int maxBytes, boolean atLeastOneBatch) {
    return planRead(fetchOffset, maxBytes, atLeastOneBatch).execute();
  }

  /**
   * Checks leadership and the offset range and captures the read's bounds; {@link
   * ReadPlan#execute()} may then run on any thread. A leader that is not ready yet plans an empty
   * read, so the caller waits rather than seeing a stale high watermark.
   */
  ReadPlan planRead(long fetchOffset, int maxBytes, boolean atLeastOneBatch) {
    requireLeader();
    long logStart = log.logStartOffset();
    if (leaderReady && (fetchOffset < logStart || fetchOffset > highWatermark)) {
      throw new PartitionException(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          String.format(
              "partition %s: fetch offset %d is outside [log start %d, high watermark %d]",
              id, fetchOffset, logStart, highWatermark));
    }
    boolean readsLog =
        leaderReady && fetchOffset < highWatermark && (maxBytes > 0 || atLeastOneBatch);
    return new ReadPlan(
        id,
        log,
        fetchOffset,
        maxBytes,
        atLeastOneBatch,
        highWatermark,
        logStart,
        leaderTerm,
        appliedIndex,
        readsLog);
  }

  /**
   * Runs {@code wake} once, on this loop, as soon as the high watermark differs from {@code
   * observedHighWatermark} or the leadership changes; at once if it already has.
   */
  public void awaitChange(long observedHighWatermark, Runnable wake) {
    boolean unchanged = leader && (!leaderReady || highWatermark == observedHighWatermark);
    if (unchanged) {
      waiters.add(wake);
    } else {
      wake.run();
    }
  }

  /** Offset of the earliest stored record. */
  public long earliestOffset() {
    requireReady();
    return log.logStartOffset();
  }

  /** The high watermark: offset after the last committed record. */
  public long latestOffset() {
    requireReady();
    return highWatermark;
  }

  /** A record's offset and timestamp. */
  public record TimestampedOffset(long offset, long timestampMs) {}

  /**
   * The first committed record, at or after the log start, whose timestamp is at or after {@code
   * timestampMs}; empty when there is none.
   */
  public Optional<TimestampedOffset> offsetForTimestamp(long timestampMs) {
    requireReady();
    long logStart = log.logStartOffset();
    OptionalLong found = log.offsetForTimestamp(timestampMs);
    if (found.isEmpty() || found.getAsLong() >= highWatermark) {
      return Optional.empty();
    }
    long from = Math.max(found.getAsLong(), logStart);
    for (StoredBatch batch : log.read(from, appliedIndex, 1)) {
      for (Record r : RecordBatch.decode(batch.batchBytes()).records()) {
        if (r.offset() >= from && r.timestamp() >= timestampMs) {
          return Optional.of(new TimestampedOffset(r.offset(), r.timestamp()));
        }
      }
    }
    return Optional.of(new TimestampedOffset(from, -1));
  }

  private void requireLeader() {
    if (!leader) {
      throw notLeader();
    }
  }

  private void requireReady() {
    requireLeader();
    if (!leaderReady) {
      throw new PartitionException(
          ErrorCode.LEADER_NOT_AVAILABLE,
          "partition " + id + ": the new leader is still committing its predecessor's entries");
    }
  }

  // ------------------------------------------------------------------ retention

  /**
   * Removes the segments retention expires by compacting the Raft log up to their last index.
   * Returns the bytes removed (0 when nothing expired).
   */
  public long applyRetention(long nowMs, RetentionPolicy policy) {
    RetentionResult plan = log.applyRetention(nowMs, policy, appliedIndex);
    if (!plan.hasWork()) {
      return 0;
    }
    compactionStartOffset = plan.logStartOffset();
    group.compact(plan.compactUpToIndex());
    return plan.bytes();
  }

  // ------------------------------------------------------------------ status

  public long highWatermark() {
    return highWatermark;
  }

  public long logEndOffset() {
    return log.nextOffset();
  }

  public long logStartOffset() {
    return log.logStartOffset();
  }

  public boolean isLeader() {
    return leader;
  }

  public boolean isLeaderReady() {
    return leaderReady;
  }

  public long leaderEpoch() {
    return leader ? leaderTerm : -1;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  int parkedFetches() {
    return waiters.size();
  }

  int parkedProduces() {
    return parked.size();
  }

  int inflightProduces() {
    return sequencer.inflightCount();
  }
}
