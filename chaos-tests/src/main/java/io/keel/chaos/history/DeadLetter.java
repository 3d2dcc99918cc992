package io.keel.chaos.history;

/**
 * One record of the dead-letter topic with its {@code keel.dlq.*} headers; a header that is absent
 * or not a number reads as null / -1.
 *
 * @param dlqOffset its offset in the dead-letter topic
 * @param task the record's value (the task id)
 * @param reason {@code keel.dlq.reason}: "delivery limit" or "rejected"
 * @param partition {@code keel.dlq.source.partition}
 * @param offset {@code keel.dlq.source.offset}
 * @param count {@code keel.dlq.delivery.count}
 */
public record DeadLetter(
    long dlqOffset,
    long task,
    String reason,
    String group,
    String sourceTopic,
    int partition,
    long offset,
    int count) {}
