package io.keel.client.internal;

import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelException;
import io.keel.client.RetriableException;
import io.keel.client.TopicPartition;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.TopicPartitions;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal KIP-848 style member: the coordinator computes assignments; the member heartbeats its
 * subscription and owned partitions, adopts whatever assignment a response carries (revoking first,
 * through the sink), and acknowledges it with the next heartbeat, sent at once.
 */
public final class HeartbeatMembership implements GroupMembership {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatMembership.class);
  private static final int LEAVE_EPOCH = -1;

  private final GroupCoordinatorClient coordinator;
  private final KeelConsumerConfig config;
  private final AssignmentSink sink;
  private Set<String> topics = Set.of();
  private Set<TopicPartition> owned = Set.of();
  private String memberId = "";
  private int memberEpoch; // 0 = joining
  private long nextHeartbeatMs;

  public HeartbeatMembership(
      GroupCoordinatorClient coordinator, KeelConsumerConfig config, AssignmentSink sink) {
    this.coordinator = coordinator;
    this.config = config;
    this.sink = sink;
  }

  @Override
  public void subscribe(Set<String> topics) {
    this.topics = Set.copyOf(topics);
    nextHeartbeatMs = 0;
  }

  @Override
  public void poll(long nowMs) {
    if (nowMs < nextHeartbeatMs) {
      return;
    }
    ConsumerGroupHeartbeatResponse response;
    try {
      response = heartbeat();
    } catch (RetriableException e) {
      log.debug("heartbeat for group {} failed: {}", coordinator.groupId(), e.getMessage());
      nextHeartbeatMs = nowMs + config.retryBackoffMs();
      return;
    }
    ErrorCode code = response.getError().getCode();
    if (code == ErrorCode.UNKNOWN_MEMBER_ID || code == ErrorCode.FENCED_MEMBER_EPOCH) {
      log.info("group {}: {}; rejoining", coordinator.groupId(), code);
      memberId = "";
      memberEpoch = 0;
      adopt(Set.of());
      nextHeartbeatMs = nowMs;
      return;
    }
    if (code != ErrorCode.NONE) {
      throw Errors.toException(response.getError(), "group " + coordinator.groupId());
    }
    memberId = response.getMemberId();
    memberEpoch = response.getMemberEpoch();
    nextHeartbeatMs = nowMs + Math.max(1, response.getHeartbeatIntervalMs());
    if (response.hasAssignment()) {
      Set<TopicPartition> assignment = new LinkedHashSet<>();
      for (TopicPartitions tps : response.getAssignment().getPartitionsList()) {
        tps.getPartitionsList().forEach(p -> assignment.add(new TopicPartition(tps.getTopic(), p)));
      }
      adopt(assignment);
      nextHeartbeatMs = nowMs; // acknowledge the new assignment at once
    }
  }

  private void adopt(Set<TopicPartition> assignment) {
    if (!assignment.equals(owned)) {
      sink.onAssignment(assignment);
      owned = Set.copyOf(assignment);
    }
  }

  private ConsumerGroupHeartbeatResponse heartbeat() {
    ConsumerGroupHeartbeatRequest.Builder request =
        ConsumerGroupHeartbeatRequest.newBuilder()
            .setGroupId(coordinator.groupId())
            .setMemberId(memberId)
            .setMemberEpoch(memberEpoch)
            .setRebalanceTimeoutMs(config.maxPollIntervalMs())
            .addAllSubscribedTopics(topics);
    OffsetLookup.byTopic(owned)
        .forEach(
            (topic, ps) ->
                request.addOwnedPartitions(
                    TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(ps)));
    ConsumerGroupHeartbeatRequest built = request.build();
    return coordinator.call(
        "ConsumerGroupHeartbeat",
        stub -> stub.consumerGroupHeartbeat(built),
        r -> {
          ErrorCode code = r.getError().getCode();
          if (code == ErrorCode.NOT_COORDINATOR || code == ErrorCode.COORDINATOR_LOADING) {
            throw Errors.toException(r.getError(), "group " + coordinator.groupId());
          }
        },
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
  }

  @Override
  public String memberId() {
    return memberId;
  }

  @Override
  public int memberEpoch() {
    return memberId.isEmpty() ? -1 : memberEpoch;
  }

  @Override
  public void leave(long deadlineNanos) {
    adopt(Set.of());
    if (memberId.isEmpty()) {
      return;
    }
    LeaveGroupRequest request =
        LeaveGroupRequest.newBuilder()
            .setGroupId(coordinator.groupId())
            .setMemberId(memberId)
            .setMemberEpoch(LEAVE_EPOCH)
            .build();
    try {
      coordinator.call("LeaveGroup", stub -> stub.leaveGroup(request), r -> {}, deadlineNanos);
    } catch (KeelException e) {
      log.warn("leaving group {} failed: {}", coordinator.groupId(), e.getMessage());
    }
    memberId = "";
    memberEpoch = 0;
  }
}
