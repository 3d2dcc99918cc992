package io.keel.broker.group;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One group member as the coordinator records it.
 *
 * <p>Invariant (per group): the {@code assigned} sets of all members are pairwise disjoint. A
 * partition leaves {@code assigned} only once the member reports that it no longer owns it (or the
 * member is removed), so no partition is ever handed to two members at once.
 *
 * @param memberId coordinator-generated id
 * @param memberEpoch the epoch the member must present; equals the group's assignment epoch once
 *     the member has nothing left to revoke
 * @param previousEpoch the epoch before the last bump (accepted too: the reply may have been lost)
 * @param clientId shown by DescribeGroups
 * @param rebalanceTimeoutMs the member's rebalance timeout as it declared it
 * @param subscriptions subscribed topics, sorted
 * @param assigned partitions the member may own right now
 * @param target partitions the assignor wants the member to own once reconciled
 */
public record MemberState(
    String memberId,
    int memberEpoch,
    int previousEpoch,
    String clientId,
    int rebalanceTimeoutMs,
    List<String> subscriptions,
    Set<TopicPartition> assigned,
    Set<TopicPartition> target) {

  public MemberState {
    subscriptions = List.copyOf(new TreeSet<>(subscriptions));
    assigned = sorted(assigned);
    target = sorted(target);
  }

  static Set<TopicPartition> sorted(Set<TopicPartition> partitions) {
    return java.util.Collections.unmodifiableSortedSet(new TreeSet<>(partitions));
  }

  /** Partitions still owned that the member must give up before others get them. */
  public Set<TopicPartition> pendingRevocation() {
    Set<TopicPartition> out = new TreeSet<>(assigned);
    out.removeAll(target);
    return out;
  }

  /** What the member is told to own now: its grants minus what it must revoke. */
  public Set<TopicPartition> current() {
    Set<TopicPartition> out = new TreeSet<>(assigned);
    out.retainAll(target);
    return out;
  }

  MemberState withTarget(Set<TopicPartition> value) {
    return new MemberState(
        memberId,
        memberEpoch,
        previousEpoch,
        clientId,
        rebalanceTimeoutMs,
        subscriptions,
        assigned,
        value);
  }

  MemberState withAssigned(Set<TopicPartition> value) {
    return new MemberState(
        memberId,
        memberEpoch,
        previousEpoch,
        clientId,
        rebalanceTimeoutMs,
        subscriptions,
        value,
        target);
  }

  MemberState withEpoch(int epoch) {
    if (epoch == memberEpoch) {
      return this;
    }
    return new MemberState(
        memberId,
        epoch,
        memberEpoch,
        clientId,
        rebalanceTimeoutMs,
        subscriptions,
        assigned,
        target);
  }
}
