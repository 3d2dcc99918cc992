package io.keel.raft;

/**
 * Volatile state the application may want to observe (metrics, routing); never persisted.
 *
 * @param role this node's role
 * @param leaderId the known leader, 0 when unknown
 * @param term the current term
 */
public record SoftState(RaftRole role, int leaderId, long term) {}
