package io.keel.client;

/** A consumer group as listGroups() reports it. */
public record GroupListing(String groupId, GroupState state, int coordinatorId) {}
