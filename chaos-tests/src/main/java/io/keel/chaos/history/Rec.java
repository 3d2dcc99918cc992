package io.keel.chaos.history;

/** One record observed at a partition offset. */
public record Rec(int partition, long offset, long value) {}
