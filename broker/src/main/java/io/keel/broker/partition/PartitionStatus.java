package io.keel.broker.partition;

/**
 * A replica's state as last sampled on its loop, for metrics and describe calls.
 *
 * @param leader this replica leads
 * @param leaderId the known leader, 0 when unknown
 * @param leaderEpoch the leader's term when this replica leads, else -1
 * @param highWatermark offset after the last committed record
 * @param logStartOffset first stored offset
 * @param logEndOffset offset after the last stored (maybe uncommitted) record
 * @param underReplicated leader only: some voter has not caught up to the commit index of the
 *     previous sample
 */
public record PartitionStatus(
    boolean leader,
    int leaderId,
    long leaderEpoch,
    long highWatermark,
    long logStartOffset,
    long logEndOffset,
    boolean underReplicated) {
  public static final PartitionStatus UNKNOWN = new PartitionStatus(false, 0, -1, 0, 0, 0, false);
}
