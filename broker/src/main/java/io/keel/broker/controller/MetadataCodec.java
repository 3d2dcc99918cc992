package io.keel.broker.controller;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keel.broker.controller.MetadataCommand.CreateTopic;
import io.keel.broker.controller.MetadataCommand.DeleteTopic;
import io.keel.broker.controller.MetadataCommand.RegisterBroker;
import io.keel.broker.controller.MetadataCommand.SetBrokerOnline;
import io.keel.broker.controller.MetadataCommand.SetTopicConfig;
import io.keel.proto.BrokerStateRecord;
import io.keel.proto.CreateTopicRecord;
import io.keel.proto.DeleteTopicRecord;
import io.keel.proto.MetadataRecord;
import io.keel.proto.RegisterBrokerRecord;
import io.keel.proto.ReplicaList;
import io.keel.proto.SetTopicConfigRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Maps metadata commands and images to and from their protobuf form (controller.proto). */
public final class MetadataCodec {
  private MetadataCodec() {}

  public static byte[] encode(MetadataCommand command) {
    MetadataRecord.Builder b = MetadataRecord.newBuilder();
    switch (command) {
      case RegisterBroker r ->
          b.setRegisterBroker(
              RegisterBrokerRecord.newBuilder()
                  .setNodeId(r.nodeId())
                  .setClientAddress(r.clientAddress())
                  .setInternalAddress(r.internalAddress()));
      case SetBrokerOnline s ->
          b.setBrokerState(
              BrokerStateRecord.newBuilder().setNodeId(s.nodeId()).setOnline(s.online()));
      case CreateTopic c ->
          b.setCreateTopic(
              CreateTopicRecord.newBuilder()
                  .setName(c.name())
                  .addAllAssignments(replicaLists(c.assignments()))
                  .putAllConfigs(c.configs()));
      case DeleteTopic d -> b.setDeleteTopic(DeleteTopicRecord.newBuilder().setName(d.name()));
      case SetTopicConfig s ->
          b.setSetTopicConfig(
              SetTopicConfigRecord.newBuilder().setName(s.name()).putAllConfigs(s.configs()));
    }
    return b.build().toByteArray();
  }

  public static MetadataCommand decode(byte[] data) {
    MetadataRecord r = parse(data);
    return switch (r.getRecordCase()) {
      case REGISTER_BROKER ->
          new RegisterBroker(
              r.getRegisterBroker().getNodeId(),
              r.getRegisterBroker().getClientAddress(),
              r.getRegisterBroker().getInternalAddress());
      case BROKER_STATE ->
          new SetBrokerOnline(r.getBrokerState().getNodeId(), r.getBrokerState().getOnline());
      case CREATE_TOPIC ->
          new CreateTopic(
              r.getCreateTopic().getName(),
              assignments(r.getCreateTopic().getAssignmentsList()),
              r.getCreateTopic().getConfigsMap());
      case DELETE_TOPIC -> new DeleteTopic(r.getDeleteTopic().getName());
      case SET_TOPIC_CONFIG ->
          new SetTopicConfig(
              r.getSetTopicConfig().getName(), r.getSetTopicConfig().getConfigsMap());
      case RECORD_NOT_SET -> throw new IllegalStateException("metadata record without a body");
    };
  }

  public static io.keel.proto.MetadataImage toProto(MetadataImage image) {
    io.keel.proto.MetadataImage.Builder b =
        io.keel.proto.MetadataImage.newBuilder()
            .setVersion(image.version())
            .setNextTopicId(image.nextTopicId());
    for (BrokerInfo broker : image.brokers().values()) {
      b.addBrokers(
          io.keel.proto.BrokerInfo.newBuilder()
              .setNodeId(broker.nodeId())
              .setClientAddress(broker.clientAddress())
              .setInternalAddress(broker.internalAddress())
              .setOnline(broker.online()));
    }
    for (TopicInfo topic : image.topics().values()) {
      b.addTopics(
          io.keel.proto.TopicInfo.newBuilder()
              .setName(topic.name())
              .setTopicId(topic.topicId())
              .addAllAssignments(replicaLists(topic.assignments()))
              .putAllConfigs(topic.configs()));
    }
    return b.build();
  }

  public static MetadataImage fromProto(io.keel.proto.MetadataImage p) {
    Map<Integer, BrokerInfo> brokers = new HashMap<>();
    for (io.keel.proto.BrokerInfo b : p.getBrokersList()) {
      brokers.put(
          b.getNodeId(),
          new BrokerInfo(
              b.getNodeId(), b.getClientAddress(), b.getInternalAddress(), b.getOnline()));
    }
    Map<String, TopicInfo> topics = new HashMap<>();
    for (io.keel.proto.TopicInfo t : p.getTopicsList()) {
      topics.put(
          t.getName(),
          new TopicInfo(
              t.getName(), t.getTopicId(), assignments(t.getAssignmentsList()), t.getConfigsMap()));
    }
    return new MetadataImage(p.getVersion(), p.getNextTopicId(), brokers, topics);
  }

  public static byte[] encodeImage(MetadataImage image) {
    return toProto(image).toByteArray();
  }

  public static MetadataImage decodeImage(byte[] data) {
    try {
      return fromProto(io.keel.proto.MetadataImage.parseFrom(data));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt metadata snapshot: " + e.getMessage(), e);
    }
  }

  private static MetadataRecord parse(byte[] data) {
    try {
      return MetadataRecord.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt metadata record: " + e.getMessage(), e);
    }
  }

  private static List<ReplicaList> replicaLists(List<List<Integer>> assignments) {
    return assignments.stream()
        .map(replicas -> ReplicaList.newBuilder().addAllReplicas(replicas).build())
        .toList();
  }

  private static List<List<Integer>> assignments(List<ReplicaList> lists) {
    return lists.stream().map(l -> List.copyOf(l.getReplicasList())).toList();
  }
}
