package io.keel.client.internal.group;

import io.keel.client.KeelException;
import io.keel.client.TopicPartition;
import io.keel.proto.ConsumerGroupHeartbeatResponse;
import io.keel.proto.TopicPartitions;
import java.util.HashSet;
import java.util.Set;

/**
 * What the heartbeat thread and the polling thread share, behind one monitor: identity (member id
 * and epoch), the subscription, the partitions the consumer owns (changed only by the polling
 * thread, after it has revoked or adopted them) and the work the heartbeat thread leaves for the
 * polling thread (a new assignment, partitions lost, a fatal error).
 */
final class MemberState {
  /** One heartbeat's content, as of when it was built. */
  record Request(String memberId, int memberEpoch, Set<String> topics, Set<TopicPartition> owned) {}

  /** Work for the polling thread; {@code assignment} null when unchanged. */
  record Work(boolean lost, Set<TopicPartition> assignment, KeelException fatal) {}

  private Set<String> topics = Set.of();
  private Set<TopicPartition> owned = Set.of();
  private String memberId = "";
  private int memberEpoch; // 0 = joining
  private long intervalMs = 100; // until the coordinator says otherwise
  private long nextHeartbeatNanos = System.nanoTime();
  private Set<TopicPartition> pending; // null = nothing new
  // Handed to the polling thread and maybe in use already, until it reports what it owns.
  private Set<TopicPartition> applying = Set.of();
  private boolean lost;
  private KeelException fatal;
  private boolean stopped;

  synchronized void subscribe(Set<String> value) {
    topics = Set.copyOf(value);
    dueNow();
  }

  synchronized String memberId() {
    return memberId;
  }

  synchronized int memberEpoch() {
    return memberId.isEmpty() ? -1 : memberEpoch;
  }

  /** The polling thread now owns exactly {@code value}; tell the coordinator at once. */
  synchronized void owned(Set<TopicPartition> value) {
    applying = Set.of();
    if (!value.equals(owned)) {
      owned = Set.copyOf(value);
      dueNow();
    }
  }

  private void dueNow() {
    nextHeartbeatNanos = System.nanoTime();
    notifyAll();
  }

  /** Blocks until a heartbeat is due; false once stopped. */
  synchronized boolean awaitHeartbeatDue() {
    while (!stopped) {
      long waitNanos = nextHeartbeatNanos - System.nanoTime();
      if (waitNanos <= 0) {
        nextHeartbeatNanos = System.nanoTime() + intervalMs * 1_000_000L;
        return true;
      }
      try {
        wait(Math.max(1, waitNanos / 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /**
   * The next heartbeat. It reports as owned everything the consumer may be consuming: what it owns,
   * plus assignments received but not yet adopted by the polling thread (reporting less would let
   * the coordinator hand those partitions to another member while this one starts on them).
   */
  synchronized Request request() {
    if (memberEpoch == 0) {
      return new Request(memberId, 0, topics, Set.of());
    }
    Set<TopicPartition> reported = new HashSet<>(owned);
    reported.addAll(applying);
    if (pending != null) {
      reported.addAll(pending);
    }
    return new Request(memberId, memberEpoch, topics, Set.copyOf(reported));
  }

  synchronized void retryIn(long ms) {
    nextHeartbeatNanos = System.nanoTime() + ms * 1_000_000L;
  }

  synchronized void accept(Request sent, ConsumerGroupHeartbeatResponse response) {
    if (!sent.memberId().equals(memberId) && !memberId.isEmpty()) {
      return; // fenced meanwhile; this answer is stale
    }
    memberId = response.getMemberId();
    memberEpoch = response.getMemberEpoch();
    intervalMs = Math.max(1, response.getHeartbeatIntervalMs());
    fatal = null;
    if (response.hasAssignment()) {
      Set<TopicPartition> assignment = new HashSet<>();
      for (TopicPartitions tps : response.getAssignment().getPartitionsList()) {
        tps.getPartitionsList().forEach(p -> assignment.add(new TopicPartition(tps.getTopic(), p)));
      }
      pending = assignment.equals(owned) && !lost ? null : Set.copyOf(assignment);
    }
  }

  /** Fenced: every partition is lost; rejoin at once (keeping the id for FENCED_MEMBER_EPOCH). */
  synchronized void fenced(boolean keepId) {
    if (!keepId) {
      memberId = "";
    }
    memberEpoch = 0;
    pending = null;
    lost = true;
    dueNow();
  }

  synchronized void fail(KeelException e) {
    fatal = e;
  }

  synchronized Work takeWork() {
    Work w = new Work(lost, pending, fatal);
    if (pending != null) {
      applying = pending;
    }
    lost = false;
    pending = null;
    fatal = null;
    return w;
  }

  /** Stops the heartbeat thread; returns the member id to leave with ("" if none). */
  synchronized String stop() {
    stopped = true;
    notifyAll();
    return memberId;
  }
}
