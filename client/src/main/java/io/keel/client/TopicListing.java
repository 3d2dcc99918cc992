package io.keel.client;

/** A topic as listTopics() reports it. */
public record TopicListing(String name, int partitions, int replicationFactor, boolean internal) {}
