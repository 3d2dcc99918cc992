package io.keel.raft;

/**
 * A linearizable read is safe once the local state machine has applied {@code index}.
 *
 * @param requestId the id passed to {@link RaftNode#readIndex(long)}
 * @param index the commit index confirmed by a quorum when the read was requested
 */
public record ReadState(long requestId, long index) {}
