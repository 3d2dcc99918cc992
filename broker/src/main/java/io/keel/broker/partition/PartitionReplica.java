package io.keel.broker.partition;

import io.keel.broker.raft.RaftGroup;
import io.keel.proto.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Thread-safe handle to one local partition replica: every call hops onto the group's event loop,
 * where the {@link PartitionStateMachine} lives, and answers through a future.
 */
public final class PartitionReplica {
  private final PartitionStateMachine sm;
  private final RaftGroup group;
  private final Executor reads;

  /**
   * @param reads where log reads run, off the event loop
   */
  public PartitionReplica(PartitionStateMachine sm, RaftGroup group, Executor reads) {
    this.sm = sm;
    this.group = group;
    this.reads = reads;
  }

  public PartitionId id() {
    return sm.id();
  }

  /** Thread-safe: the group's view of the leader (0 when unknown). */
  public int leaderId() {
    return group.leaderId();
  }

  /** Thread-safe: the group's current Raft term (the leader's term once a leader is known). */
  public long term() {
    return group.term();
  }

  /** Thread-safe: the group's commit index as of its last loop iteration. */
  public long commitIndex() {
    return group.commitIndex();
  }

  /** Thread-safe; leader only: each other voter's match index. */
  public java.util.Map<Integer, Long> followerMatchIndexes() {
    return group.followerMatchIndexes();
  }

  /** Thread-safe. */
  public boolean isLeader() {
    return group.isLeader();
  }

  RaftGroup group() {
    return group;
  }

  public CompletableFuture<ProduceResult> produce(ValidatedBatch batch, Acks acks) {
    return onLoopAsync(m -> m.produce(batch, acks));
  }

  public CompletableFuture<PartitionRead> read(long fetchOffset, int maxBytes, boolean oneBatch) {
    return onLoop(m -> m.planRead(fetchOffset, maxBytes, oneBatch))
        .exceptionallyCompose(e -> confirmOutOfRange(e, fetchOffset, maxBytes, oneBatch))
        .thenApplyAsync(ReadPlan::execute, reads);
  }

  /**
   * A leader that was paused or cut off may not know yet that it was deposed, and its high
   * watermark is then stale: a consumer told "out of range" by it would reset its position (found
   * by the chaos tests). So an out-of-range answer is given only after a read index has confirmed
   * the leadership and brought the high watermark up to date; otherwise the fetch sees NOT_LEADER.
   */
  private CompletableFuture<ReadPlan> confirmOutOfRange(
      Throwable e, long fetchOffset, int maxBytes, boolean oneBatch) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (!(cause instanceof PartitionException pe && pe.code() == ErrorCode.OFFSET_OUT_OF_RANGE)) {
      return CompletableFuture.failedFuture(cause);
    }
    return group
        .readIndex()
        .handle((index, err) -> err)
        .thenCompose(
            err ->
                err == null
                    ? onLoop(m -> m.planRead(fetchOffset, maxBytes, oneBatch))
                    : CompletableFuture.failedFuture(
                        PartitionException.notLeader(id().toString(), 0)));
  }

  /** Runs {@code wake} on the loop once the high watermark moves off the observed value. */
  public void awaitChange(long observedHighWatermark, Runnable wake) {
    try {
      group.executor().execute(() -> sm.awaitChange(observedHighWatermark, wake));
    } catch (RejectedExecutionException e) {
      wake.run();
    }
  }

  /** Runs {@code call} on the partition's loop. */
  public <T> CompletableFuture<T> onLoop(Function<PartitionStateMachine, T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      group
          .executor()
          .execute(
              () -> {
                try {
                  result.complete(call.apply(sm));
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
              });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(PartitionException.notLeader(id().toString(), 0));
    }
    return result;
  }

  private <T> CompletableFuture<T> onLoopAsync(
      Function<PartitionStateMachine, CompletableFuture<T>> call) {
    return onLoop(call).thenCompose(Function.identity());
  }
}
