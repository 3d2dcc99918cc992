package io.keel.client.internal;

/** The producer settings the sender needs, with units in their names. */
public record ProducerSettings(
    int acks,
    long lingerMs,
    long deliveryTimeoutMs,
    long retryBackoffMs,
    int requestTimeoutMs,
    int maxInFlightPerPartition,
    boolean idempotence,
    int maxRequestSizeBytes) {}
