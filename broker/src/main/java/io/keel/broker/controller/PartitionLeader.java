package io.keel.broker.controller;

/**
 * The leader of a partition group as last reported to the controller: a hint, possibly stale.
 *
 * @param nodeId the leader's node id
 * @param term the group's term in which it leads
 */
public record PartitionLeader(int nodeId, long term) {}
