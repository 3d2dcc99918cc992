package io.keel.client;

/**
 * A node's health as the controller sees it.
 *
 * @param lastSeenMsAgo milliseconds since the controller last heard from the node; -1 if never
 */
public record NodeStatus(
    NodeInfo node, boolean alive, int leaderCount, int replicaCount, long lastSeenMsAgo) {}
