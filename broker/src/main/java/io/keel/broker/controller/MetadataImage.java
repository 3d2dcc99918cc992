package io.keel.broker.controller;

import io.keel.broker.controller.MetadataCommand.CreateTopic;
import io.keel.broker.controller.MetadataCommand.DeleteTopic;
import io.keel.broker.controller.MetadataCommand.RegisterBroker;
import io.keel.broker.controller.MetadataCommand.SetBrokerOnline;
import io.keel.broker.controller.MetadataCommand.SetTopicConfig;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Immutable cluster metadata as of the metadata log index {@code version}. Applying a command
 * returns a new image, so readers on any thread share images without locks.
 *
 * @param version Raft index of the last applied metadata entry; 0 for the empty cluster
 * @param nextTopicId id the next created topic gets
 * @param brokers registered nodes by id
 * @param topics topics by name
 */
public record MetadataImage(
    long version,
    int nextTopicId,
    Map<Integer, BrokerInfo> brokers,
    Map<String, TopicInfo> topics) {

  public static final MetadataImage EMPTY = new MetadataImage(0, 1, Map.of(), Map.of());

  public MetadataImage {
    brokers = Collections.unmodifiableMap(new TreeMap<>(brokers));
    topics = Collections.unmodifiableMap(new TreeMap<>(topics));
  }

  /** The image after {@code command}, committed at {@code index}. */
  public MetadataImage apply(MetadataCommand command, long index) {
    return switch (command) {
      case RegisterBroker r -> {
        Map<Integer, BrokerInfo> next = new TreeMap<>(brokers);
        next.put(
            r.nodeId(), new BrokerInfo(r.nodeId(), r.clientAddress(), r.internalAddress(), true));
        yield new MetadataImage(index, nextTopicId, next, topics);
      }
      case SetBrokerOnline s -> {
        BrokerInfo current = brokers.get(s.nodeId());
        if (current == null) {
          yield withVersion(index);
        }
        Map<Integer, BrokerInfo> next = new TreeMap<>(brokers);
        next.put(s.nodeId(), current.withOnline(s.online()));
        yield new MetadataImage(index, nextTopicId, next, topics);
      }
      case CreateTopic c -> {
        if (topics.containsKey(c.name())) {
          yield withVersion(index);
        }
        Map<String, TopicInfo> next = new TreeMap<>(topics);
        next.put(c.name(), new TopicInfo(c.name(), nextTopicId, c.assignments(), c.configs()));
        yield new MetadataImage(index, nextTopicId + 1, brokers, next);
      }
      case DeleteTopic d -> {
        Map<String, TopicInfo> next = new TreeMap<>(topics);
        next.remove(d.name());
        yield new MetadataImage(index, nextTopicId, brokers, next);
      }
      case SetTopicConfig s -> {
        TopicInfo current = topics.get(s.name());
        if (current == null) {
          yield withVersion(index);
        }
        Map<String, TopicInfo> next = new TreeMap<>(topics);
        next.put(
            s.name(),
            new TopicInfo(current.name(), current.topicId(), current.assignments(), s.configs()));
        yield new MetadataImage(index, nextTopicId, brokers, next);
      }
    };
  }

  public MetadataImage withVersion(long index) {
    return new MetadataImage(index, nextTopicId, brokers, topics);
  }

  public Optional<TopicInfo> topic(String name) {
    return Optional.ofNullable(topics.get(name));
  }

  public Optional<TopicInfo> topicById(int topicId) {
    return topics.values().stream().filter(t -> t.topicId() == topicId).findFirst();
  }

  /** True when {@code groupId} is a partition group of a topic in this image. */
  public boolean hasGroup(long groupId) {
    return topicById(TopicInfo.topicIdOf(groupId))
        .map(t -> TopicInfo.partitionOf(groupId) < t.partitions())
        .orElse(false);
  }

  public Optional<BrokerInfo> broker(int nodeId) {
    return Optional.ofNullable(brokers.get(nodeId));
  }

  /** Online nodes, by ascending id. */
  public List<Integer> onlineBrokers() {
    return brokers.values().stream().filter(BrokerInfo::online).map(BrokerInfo::nodeId).toList();
  }

  public int partitionCount() {
    return topics.values().stream().mapToInt(TopicInfo::partitions).sum();
  }
}
