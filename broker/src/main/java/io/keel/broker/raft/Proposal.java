package io.keel.broker.raft;

import java.util.concurrent.CompletableFuture;

/**
 * A proposed entry.
 *
 * @param index raft index of the entry
 * @param appended completes when the entry is durable locally (acks=1)
 * @param committed completes after commit and local apply (acks=all)
 *     <p>Both fail with {@link ProposalFailedException} when leadership is lost, the entry is
 *     overwritten or the group stops. Both complete on the group's event loop, so dependents that
 *     do not block may run there directly; anything heavier belongs on another executor.
 */
public record Proposal(
    long index, CompletableFuture<Void> appended, CompletableFuture<Void> committed) {}
