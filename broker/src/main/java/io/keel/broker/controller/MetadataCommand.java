package io.keel.broker.controller;

import java.util.List;
import java.util.Map;

/** A command in the metadata Raft group's log; applied deterministically by every controller. */
public sealed interface MetadataCommand {

  /** A node joined or came back (possibly with new addresses); it is online afterwards. */
  record RegisterBroker(int nodeId, String clientAddress, String internalAddress)
      implements MetadataCommand {}

  /** The controller saw a node's session expire (offline) or resume (online). */
  record SetBrokerOnline(int nodeId, boolean online) implements MetadataCommand {}

  /** A new topic; ignored if the name exists by the time it applies. */
  record CreateTopic(String name, List<List<Integer>> assignments, Map<String, String> configs)
      implements MetadataCommand {}

  record DeleteTopic(String name) implements MetadataCommand {}

  /** Replaces the topic's overrides; ignored if the topic no longer exists. */
  record SetTopicConfig(String name, Map<String, String> configs) implements MetadataCommand {}
}
