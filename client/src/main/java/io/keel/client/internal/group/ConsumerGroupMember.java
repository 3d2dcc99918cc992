package io.keel.client.internal.group;

import io.keel.client.KeelConsumerConfig;
import io.keel.client.KeelException;
import io.keel.client.RetriableException;
import io.keel.client.TopicPartition;
import io.keel.client.internal.Errors;
import io.keel.client.internal.GroupCoordinatorClient;
import io.keel.client.internal.GroupMembership;
import io.keel.proto.ConsumerGroupHeartbeatRequest;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.LeaveGroupRequest;
import io.keel.proto.TopicPartitions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's side of the KIP-848 style group protocol. A background thread heartbeats at the
 * interval the coordinator asks for (so a consumer busy between polls keeps its session), reporting
 * the subscription and the partitions the consumer owns; new assignments are handed to the polling
 * thread, which revokes first (listener, commit) and only then reports the smaller owned set, so
 * the coordinator never gives a partition to another member while this one still consumes it.
 * Fenced (FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID): every partition is lost (no commit) and the
 * member rejoins with epoch 0. Follows coordinator moves through {@link GroupCoordinatorClient}.
 */
public final class ConsumerGroupMember implements GroupMembership {
  private static final Logger log = LoggerFactory.getLogger(ConsumerGroupMember.class);
  private static final int LEAVE_EPOCH = -1;

  private final GroupCoordinatorClient coordinator;
  private final KeelConsumerConfig config;
  private final AssignmentSink sink;
  private final MemberState state = new MemberState();
  private Thread thread;

  public ConsumerGroupMember(
      GroupCoordinatorClient coordinator, KeelConsumerConfig config, AssignmentSink sink) {
    this.coordinator = coordinator;
    this.config = config;
    this.sink = sink;
  }

  @Override
  public void subscribe(Set<String> topics) {
    state.subscribe(topics);
    if (thread == null) {
      thread =
          Thread.ofPlatform()
              .name("keel-heartbeat-" + coordinator.groupId())
              .daemon(true)
              .start(this::heartbeatLoop);
    }
  }

  /** Applies on the polling thread what the heartbeat thread learned. */
  @Override
  public void poll(long nowMs) {
    MemberState.Work work = state.takeWork();
    if (work.fatal() != null) {
      throw work.fatal();
    }
    if (work.lost()) {
      sink.onPartitionsLost();
      state.owned(Set.of());
    }
    if (work.assignment() != null) {
      sink.onAssignment(work.assignment());
      state.owned(work.assignment());
    }
  }

  @Override
  public String memberId() {
    return state.memberId();
  }

  @Override
  public int memberEpoch() {
    return state.memberEpoch();
  }

  private void heartbeatLoop() {
    try {
      while (state.awaitHeartbeatDue()) {
        heartbeatOnce();
      }
    } catch (RuntimeException e) {
      log.error("heartbeat thread of group {} hit a bug and stops", coordinator.groupId(), e);
      state.fail(new KeelException("heartbeat thread failed: " + e, e));
    }
  }

  private void heartbeatOnce() {
    MemberState.Request r = state.request();
    ConsumerGroupHeartbeatResponse response;
    try {
      response = send(r);
    } catch (RetriableException e) {
      log.debug("heartbeat of group {} failed: {}", coordinator.groupId(), e.getMessage());
      state.retryIn(config.retryBackoffMs());
      return;
    } catch (KeelException e) {
      log.warn("heartbeat of group {} failed: {}", coordinator.groupId(), e.getMessage());
      state.fail(e);
      state.retryIn(config.retryBackoffMs());
      return;
    }
    ErrorCode code = response.getError().getCode();
    switch (code) {
      case NONE -> state.accept(r, response);
      case UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH -> {
        log.info("group {}: {}; partitions lost, rejoining", coordinator.groupId(), code);
        state.fenced(code == ErrorCode.FENCED_MEMBER_EPOCH);
      }
      default -> {
        state.fail(Errors.toException(response.getError(), "group " + coordinator.groupId()));
        state.retryIn(config.retryBackoffMs());
      }
    }
  }

  private ConsumerGroupHeartbeatResponse send(MemberState.Request r) {
    ConsumerGroupHeartbeatRequest.Builder request =
        ConsumerGroupHeartbeatRequest.newBuilder()
            .setGroupId(coordinator.groupId())
            .setMemberId(r.memberId())
            .setMemberEpoch(r.memberEpoch())
            .setRebalanceTimeoutMs(config.maxPollIntervalMs())
            .addAllSubscribedTopics(new TreeSet<>(r.topics()));
    byTopic(r.owned())
        .forEach(
            (topic, ps) ->
                request.addOwnedPartitions(
                    TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(ps)));
    ConsumerGroupHeartbeatRequest built = request.build();
    return coordinator.call(
        "ConsumerGroupHeartbeat",
        stub -> stub.consumerGroupHeartbeat(built),
        resp -> {
          ErrorCode code = resp.getError().getCode();
          if (code == ErrorCode.NOT_COORDINATOR || code == ErrorCode.COORDINATOR_LOADING) {
            throw Errors.toException(resp.getError(), "group " + coordinator.groupId());
          }
        },
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
  }

  static Map<String, Set<Integer>> byTopic(Set<TopicPartition> partitions) {
    Map<String, Set<Integer>> out = new TreeMap<>();
    partitions.forEach(
        tp -> out.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
    return out;
  }

  @Override
  public void leave(long deadlineNanos) {
    String memberId = state.stop();
    if (thread != null) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
    sink.onAssignment(Set.of());
    state.owned(Set.of());
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
  }
}
