package io.keel.client.internal;

import io.keel.client.TopicPartition;
import java.util.Set;

/**
 * The consumer's side of a group protocol: joins, heartbeats and reports assignment changes. The
 * consumer drives it from poll(); an implementation sends its RPCs through the coordinator client
 * and tells the consumer about a new assignment through {@link AssignmentSink}, which runs the
 * rebalance listener and moves fetch positions. Implementations need not be thread-safe.
 */
public interface GroupMembership {
  /** Receives assignment changes; runs on the thread calling {@link #poll}. */
  interface AssignmentSink {
    /** The member must now own exactly {@code assignment} (after revoking what it lost). */
    void onAssignment(Set<TopicPartition> assignment);

    /**
     * The member was fenced: every partition it owned may already belong to another member, so they
     * are dropped without committing.
     */
    void onPartitionsLost();
  }

  /** Creates a membership for a consumer. */
  interface Factory {
    GroupMembership create(GroupCoordinatorClient coordinator, AssignmentSink sink);
  }

  /** Subscribes to {@code topics} (replacing the previous subscription); joins if needed. */
  void subscribe(Set<String> topics);

  /** Heartbeats if one is due, applying any assignment it receives. */
  void poll(long nowMs);

  /** Current member id, or "" when not a member (commits then go as an admin commit). */
  String memberId();

  /** Current member epoch, or -1 when not a member. */
  int memberEpoch();

  /** Leaves the group; the consumer owns nothing afterwards. */
  void leave(long deadlineNanos);
}
