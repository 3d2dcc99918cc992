package io.keel.client;

/** A cluster node; {@code rack} is null when unset. */
public record NodeInfo(int id, String host, int port, String rack) {}
