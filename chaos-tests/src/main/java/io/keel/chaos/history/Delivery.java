package io.keel.chaos.history;

/**
 * One record handed to a share consumer.
 *
 * @param count its delivery count as the broker reported it (1 the first time)
 */
public record Delivery(int partition, long offset, long task, int count) {}
