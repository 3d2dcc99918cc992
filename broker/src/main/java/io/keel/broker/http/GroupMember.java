package io.keel.broker.http;

import io.keel.broker.group.TopicPartition;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.TopicPartitions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one HTTP consumer-group member is, kept on the node that created it: its identity in the
 * group, the partitions assigned to it and, per partition, the next offset to hand out. The node
 * heartbeats for the member; the HTTP client only polls, commits and closes. An assignment is
 * adopted as soon as it arrives (this node is the consumer), so the next heartbeat reports it as
 * owned. Thread-safe: one monitor.
 */
final class GroupMember {
  final String groupId;
  final List<String> topics;
  final boolean fromEarliest;
  final long sessionTimeoutMs;

  private String memberId = "";
  private int memberEpoch;
  private long heartbeatIntervalMs = 1_000;
  private Set<TopicPartition> assignment = Set.of();
  // Next offset to hand out, for assigned partitions whose position is known.
  private final Map<TopicPartition, Long> positions = new TreeMap<>();
  private long lastUsedMs;
  private int pollsInFlight;
  private boolean closed;

  GroupMember(
      String groupId,
      List<String> topics,
      boolean fromEarliest,
      long sessionTimeoutMs,
      long nowMs) {
    this.groupId = groupId;
    this.topics = List.copyOf(topics);
    this.fromEarliest = fromEarliest;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.lastUsedMs = nowMs;
  }

  synchronized ConsumerGroupHeartbeatRequest heartbeat() {
    ConsumerGroupHeartbeatRequest.Builder b =
        ConsumerGroupHeartbeatRequest.newBuilder()
            .setGroupId(groupId)
            .setMemberId(memberId)
            .setMemberEpoch(memberEpoch)
            .setRebalanceTimeoutMs((int) sessionTimeoutMs)
            .addAllSubscribedTopics(topics)
            .setClientId("http");
    if (memberEpoch > 0) {
      Map<String, TopicPartitions.Builder> byTopic = new TreeMap<>();
      for (TopicPartition tp : assignment) {
        byTopic
            .computeIfAbsent(tp.topic(), t -> TopicPartitions.newBuilder().setTopic(t))
            .addPartitions(tp.partition());
      }
      byTopic.values().forEach(b::addOwnedPartitions);
    }
    return b.build();
  }

  /** Takes a heartbeat's answer; returns false if it fenced the member (it rejoins). */
  synchronized boolean accept(ConsumerGroupHeartbeatResponse r) {
    ErrorCode code = r.getError().getCode();
    if (code == ErrorCode.FENCED_MEMBER_EPOCH || code == ErrorCode.UNKNOWN_MEMBER_ID) {
      memberEpoch = 0;
      if (code == ErrorCode.UNKNOWN_MEMBER_ID) {
        memberId = "";
      }
      assignment = Set.of();
      positions.clear();
      return false;
    }
    if (code != ErrorCode.NONE) {
      return true; // coordinator moving or loading: try again next interval
    }
    memberId = r.getMemberId();
    memberEpoch = r.getMemberEpoch();
    heartbeatIntervalMs = Math.max(10, r.getHeartbeatIntervalMs());
    if (r.hasAssignment()) {
      Set<TopicPartition> next = new TreeSet<>();
      for (TopicPartitions tps : r.getAssignment().getPartitionsList()) {
        tps.getPartitionsList().forEach(p -> next.add(new TopicPartition(tps.getTopic(), p)));
      }
      positions.keySet().retainAll(next);
      assignment = Set.copyOf(next);
    }
    return true;
  }

  synchronized String memberId() {
    return memberId;
  }

  synchronized int memberEpoch() {
    return memberEpoch;
  }

  synchronized long heartbeatIntervalMs() {
    return heartbeatIntervalMs;
  }

  synchronized Set<TopicPartition> assignment() {
    return assignment;
  }

  synchronized Map<TopicPartition, Long> positions() {
    return Map.copyOf(positions);
  }

  /** Records the next offset of an assigned partition; ignored if it was revoked meanwhile. */
  synchronized void position(TopicPartition tp, long next) {
    if (assignment.contains(tp)) {
      positions.put(tp, next);
    }
  }

  synchronized void forget(TopicPartition tp) {
    positions.remove(tp);
  }

  /** A poll starts; false if the member is closed. */
  synchronized boolean beginPoll(long nowMs) {
    if (closed) {
      return false;
    }
    pollsInFlight++;
    lastUsedMs = nowMs;
    return true;
  }

  synchronized void endPoll(long nowMs) {
    pollsInFlight--;
    lastUsedMs = nowMs;
  }

  synchronized void touch(long nowMs) {
    lastUsedMs = nowMs;
  }

  /** Idle longer than its session timeout with no poll waiting. */
  synchronized boolean expired(long nowMs) {
    return pollsInFlight == 0 && nowMs - lastUsedMs > sessionTimeoutMs;
  }

  /** Marks the member closed; true the first time. */
  synchronized boolean close() {
    boolean first = !closed;
    closed = true;
    return first;
  }

  synchronized boolean isClosed() {
    return closed;
  }
}
