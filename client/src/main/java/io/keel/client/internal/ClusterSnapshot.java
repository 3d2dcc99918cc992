package io.keel.client.internal;

import io.keel.client.TopicPartition;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.MetadataResponse;
import io.keel.proto.Node;
import io.keel.proto.PartitionMetadata;
import io.keel.proto.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An immutable view of the cluster from one Metadata response. */
public record ClusterSnapshot(
    Map<Integer, HostPort> nodes, int controllerId, Map<String, TopicInfo> topics) {

  public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), 0, Map.of());

  /** One topic; {@code error} is NONE when the topic exists. */
  public record TopicInfo(String name, ErrorDetail error, List<PartitionInfo> partitions) {}

  /** One partition; {@code leaderId} 0 means no leader is known. */
  public record PartitionInfo(
      int partition, int leaderId, long leaderEpoch, List<Integer> replicas, List<Integer> isr) {}

  public static ClusterSnapshot from(MetadataResponse response) {
    Map<Integer, HostPort> nodes = new HashMap<>();
    for (Node node : response.getNodesList()) {
      nodes.put(node.getId(), new HostPort(node.getHost(), node.getPort()));
    }
    Map<String, TopicInfo> topics = new HashMap<>();
    for (TopicMetadata topic : response.getTopicsList()) {
      List<PartitionInfo> partitions = new ArrayList<>();
      for (PartitionMetadata p : topic.getPartitionsList()) {
        partitions.add(
            new PartitionInfo(
                p.getPartition(),
                p.getLeaderId(),
                p.getLeaderEpoch(),
                List.copyOf(p.getReplicasList()),
                List.copyOf(p.getInSyncReplicasList())));
      }
      partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      topics.put(topic.getName(), new TopicInfo(topic.getName(), topic.getError(), partitions));
    }
    return new ClusterSnapshot(Map.copyOf(nodes), response.getControllerId(), Map.copyOf(topics));
  }

  /** Partition count of an existing topic, or -1 when unknown or in error. */
  public int partitionCount(String topic) {
    TopicInfo info = topics.get(topic);
    if (info == null || info.error().getCode() != ErrorCode.NONE) {
      return -1;
    }
    return info.partitions().size();
  }

  /** True when this snapshot says the topic does not exist. */
  public boolean topicMissing(String topic) {
    TopicInfo info = topics.get(topic);
    return info == null || info.error().getCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  public PartitionInfo partition(TopicPartition tp) {
    TopicInfo info = topics.get(tp.topic());
    if (info == null || tp.partition() >= info.partitions().size()) {
      return null;
    }
    PartitionInfo p = info.partitions().get(tp.partition());
    return p.partition() == tp.partition() ? p : null;
  }

  /**
   * Folds {@code other} (an answer from another node, or a leader hint) into this snapshot: per
   * partition the known leader with the higher epoch wins, so a node that has not heard of an
   * election yet cannot undo it; topics and nodes only one side knows are kept.
   */
  public ClusterSnapshot merge(ClusterSnapshot other) {
    Map<Integer, HostPort> mergedNodes = new HashMap<>(nodes);
    mergedNodes.putAll(other.nodes);
    Map<String, TopicInfo> mergedTopics = new HashMap<>(topics);
    other.topics.forEach(
        (name, theirs) -> mergedTopics.merge(name, theirs, ClusterSnapshot::newer));
    int controller = other.controllerId != 0 ? other.controllerId : controllerId;
    return new ClusterSnapshot(Map.copyOf(mergedNodes), controller, Map.copyOf(mergedTopics));
  }

  private static TopicInfo newer(TopicInfo mine, TopicInfo theirs) {
    boolean mineOk = mine.error().getCode() == ErrorCode.NONE;
    boolean theirsOk = theirs.error().getCode() == ErrorCode.NONE;
    if (mineOk != theirsOk) {
      return mineOk ? mine : theirs; // a node that has not seen the topic yet is behind
    }
    if (mine.partitions().size() != theirs.partitions().size()) {
      return mine.partitions().size() > theirs.partitions().size() ? mine : theirs;
    }
    List<PartitionInfo> out = new ArrayList<>();
    for (int i = 0; i < mine.partitions().size(); i++) {
      out.add(newer(mine.partitions().get(i), theirs.partitions().get(i)));
    }
    return new TopicInfo(mine.name(), mine.error(), List.copyOf(out));
  }

  /** The known leader with the higher epoch; on a tie, {@code theirs} (the later answer). */
  static PartitionInfo newer(PartitionInfo mine, PartitionInfo theirs) {
    if (theirs.leaderId() == 0) {
      return mine;
    }
    if (mine.leaderId() == 0) {
      return theirs;
    }
    return theirs.leaderEpoch() >= mine.leaderEpoch() ? theirs : mine;
  }

  /**
   * This snapshot with {@code tp} led by {@code leaderId} in {@code epoch} (0 = unknown, -1), the
   * leader's address added when given. Unconditional: the caller fences by epoch.
   */
  public ClusterSnapshot withLeader(
      TopicPartition tp, int leaderId, long epoch, HostPort leaderAddress) {
    PartitionInfo p = partition(tp);
    if (p == null) {
      return this;
    }
    TopicInfo info = topics.get(tp.topic());
    List<PartitionInfo> partitions = new ArrayList<>(info.partitions());
    partitions.set(
        tp.partition(), new PartitionInfo(p.partition(), leaderId, epoch, p.replicas(), p.isr()));
    Map<String, TopicInfo> nextTopics = new HashMap<>(topics);
    nextTopics.put(tp.topic(), new TopicInfo(info.name(), info.error(), List.copyOf(partitions)));
    Map<Integer, HostPort> nextNodes = nodes;
    if (leaderAddress != null && leaderId > 0) {
      nextNodes = new HashMap<>(nodes);
      nextNodes.put(leaderId, leaderAddress);
      nextNodes = Map.copyOf(nextNodes);
    }
    return new ClusterSnapshot(nextNodes, controllerId, Map.copyOf(nextTopics));
  }

  /**
   * This snapshot (a fresh answer) with the leaders of {@code previous} kept where they have the
   * higher epoch: a hint taken from a NOT_LEADER answer, or an earlier answer from a node that had
   * already seen the election, must not be undone by a node that has not.
   */
  public ClusterSnapshot keepNewerLeaders(ClusterSnapshot previous) {
    Map<String, TopicInfo> out = new HashMap<>(topics);
    Map<Integer, HostPort> outNodes = new HashMap<>(nodes);
    topics.forEach(
        (name, fresh) -> {
          TopicInfo old = previous.topics.get(name);
          if (old == null || old.partitions().size() != fresh.partitions().size()) {
            return;
          }
          List<PartitionInfo> parts = new ArrayList<>();
          for (int i = 0; i < fresh.partitions().size(); i++) {
            PartitionInfo kept = newer(old.partitions().get(i), fresh.partitions().get(i));
            parts.add(kept);
            HostPort address = previous.nodes.get(kept.leaderId());
            if (address != null) {
              outNodes.putIfAbsent(kept.leaderId(), address);
            }
          }
          out.put(name, new TopicInfo(fresh.name(), fresh.error(), List.copyOf(parts)));
        });
    return new ClusterSnapshot(Map.copyOf(outNodes), controllerId, Map.copyOf(out));
  }

  /**
   * Addresses of the nodes that lead a partition here in an epoch (or as a leader) that {@code
   * before} did not know: nodes just elected, hence up.
   */
  public Set<HostPort> newLeadersSince(ClusterSnapshot before) {
    Set<HostPort> out = new HashSet<>();
    topics.forEach(
        (name, info) -> {
          for (PartitionInfo p : info.partitions()) {
            HostPort address = nodes.get(p.leaderId());
            PartitionInfo old = before.partition(new TopicPartition(name, p.partition()));
            boolean known =
                old != null
                    && old.leaderId() == p.leaderId()
                    && old.leaderEpoch() == p.leaderEpoch();
            if (address != null && !known) {
              out.add(address);
            }
          }
        });
    return out;
  }

  /** Leader's epoch (Raft term), or -1 when unknown. */
  public long leaderEpoch(TopicPartition tp) {
    PartitionInfo p = partition(tp);
    return p == null ? -1 : p.leaderEpoch();
  }

  /** Leader's node id, or 0 when unknown. */
  public int leaderId(TopicPartition tp) {
    PartitionInfo p = partition(tp);
    return p == null || !nodes.containsKey(p.leaderId()) ? 0 : p.leaderId();
  }

  public HostPort address(int nodeId) {
    return nodes.get(nodeId);
  }
}
