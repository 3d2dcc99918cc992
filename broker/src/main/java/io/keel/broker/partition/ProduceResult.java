package io.keel.broker.partition;

/**
 * Where a produced batch landed.
 *
 * @param baseOffset offset of the batch's first record; -1 with acks 0
 * @param logStartOffset the partition's log start offset when the answer was made
 */
public record ProduceResult(long baseOffset, long logStartOffset) {}
