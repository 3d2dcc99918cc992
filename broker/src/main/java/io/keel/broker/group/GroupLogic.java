package io.keel.broker.group;

import io.keel.proto.ErrorCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The group protocol as pure functions from the current {@link GroupMetadata} to the next one:
 * joining, heartbeating (cooperative reconciliation), leaving and fencing. No clock, no I/O; the
 * coordinator persists the returned metadata when it differs from the input.
 *
 * <p>Cooperative reconciliation: a partition moves from A to B in two steps. A's next heartbeat
 * tells it to stop owning the partition; once A reports (in owned_partitions) that it no longer
 * owns it, the partition leaves A's {@code assigned} set, and only then can B's heartbeat be
 * granted it. Members whose partitions do not move keep them throughout.
 */
public final class GroupLogic {
  private final Map<String, PartitionAssignor> assignors;
  private final String defaultAssignor;

  public GroupLogic(List<PartitionAssignor> assignors, String defaultAssignor) {
    Map<String, PartitionAssignor> byName = new HashMap<>();
    assignors.forEach(a -> byName.put(a.name(), a));
    this.assignors = Map.copyOf(byName);
    this.defaultAssignor = defaultAssignor;
  }

  public static GroupLogic standard() {
    return new GroupLogic(
        List.of(new UniformAssignor(), new RangeAssignor()), UniformAssignor.NAME);
  }

  /** What a member said in a heartbeat. {@code memberEpoch} 0 joins. */
  public record Heartbeat(
      String memberId,
      int memberEpoch,
      String clientId,
      int rebalanceTimeoutMs,
      List<String> subscriptions,
      String assignor,
      Set<TopicPartition> owned) {}

  /** The result of a heartbeat: an error, or the next metadata and the member's reply. */
  public sealed interface Outcome {}

  /** The heartbeat is refused; nothing changes. */
  public record Rejected(ErrorCode code, String message) implements Outcome {}

  /**
   * @param next the group after the heartbeat (equal to the input if nothing changed)
   * @param assignment what the member must own now
   */
  public record Accepted(
      GroupMetadata next, String memberId, int memberEpoch, Set<TopicPartition> assignment)
      implements Outcome {}

  public Outcome heartbeat(
      GroupMetadata current,
      Heartbeat hb,
      Map<String, Integer> partitionCounts,
      Supplier<String> newMemberId) {
    String assignorName = hb.assignor().isEmpty() ? current.assignor() : hb.assignor();
    if (!assignors.containsKey(assignorName)) {
      return new Rejected(
          ErrorCode.UNSUPPORTED_ASSIGNOR,
          "assignor '" + hb.assignor() + "' is not one of " + new TreeSet<>(assignors.keySet()));
    }
    Rejected fenced = hb.memberEpoch() == 0 ? null : checkMember(current, hb);
    if (fenced != null) {
      return fenced;
    }
    MemberState member =
        hb.memberEpoch() == 0
            ? joining(hb, hb.memberId().isEmpty() ? newMemberId.get() : hb.memberId())
            : updated(current.members().get(hb.memberId()), hb);
    GroupMetadata withMember =
        new GroupMetadata(
                current.groupId(),
                current.groupEpoch(),
                current.assignmentEpoch(),
                assignorName,
                current.members())
            .withMember(member);
    boolean membershipChanged =
        hb.memberEpoch() == 0
            || !member
                .subscriptions()
                .equals(current.members().get(member.memberId()).subscriptions())
            || !assignorName.equals(current.assignor());
    GroupMetadata next = reassign(withMember, membershipChanged, partitionCounts);
    next = reconcile(next, member.memberId());
    MemberState m = next.members().get(member.memberId());
    return new Accepted(next, m.memberId(), m.memberEpoch(), m.current());
  }

  /** A member (re)joining with epoch 0 owns nothing. */
  private static MemberState joining(Heartbeat hb, String memberId) {
    return new MemberState(
        memberId,
        0,
        0,
        hb.clientId(),
        hb.rebalanceTimeoutMs(),
        hb.subscriptions(),
        Set.of(),
        Set.of());
  }

  /** UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH for a heartbeat that may not go on; else null. */
  private static Rejected checkMember(GroupMetadata current, Heartbeat hb) {
    return checkMember(current, hb.memberId(), hb.memberEpoch());
  }

  /**
   * UNKNOWN_MEMBER_ID unless the member is in the group, FENCED_MEMBER_EPOCH unless {@code
   * memberEpoch} is its current or previous epoch; else null. Heartbeats and fetches go on only
   * then.
   */
  public static Rejected checkMember(GroupMetadata current, String memberId, int memberEpoch) {
    MemberState known = current.members().get(memberId);
    if (known == null) {
      return new Rejected(
          ErrorCode.UNKNOWN_MEMBER_ID,
          "member '" + memberId + "' is not in group '" + current.groupId() + "'");
    }
    if (memberEpoch != known.memberEpoch() && memberEpoch != known.previousEpoch()) {
      return new Rejected(
          ErrorCode.FENCED_MEMBER_EPOCH,
          String.format(
              "member '%s' sent epoch %d; its epoch is %d",
              memberId, memberEpoch, known.memberEpoch()));
    }
    return null;
  }

  /** The known member after releasing what it reported gone and taking its new subscription. */
  private static MemberState updated(MemberState known, Heartbeat hb) {
    MemberState member = release(known, hb.owned());
    if (member.subscriptions().equals(List.copyOf(new TreeSet<>(hb.subscriptions())))) {
      return member;
    }
    return new MemberState(
        member.memberId(),
        member.memberEpoch(),
        member.previousEpoch(),
        hb.clientId(),
        hb.rebalanceTimeoutMs(),
        hb.subscriptions(),
        member.assigned(),
        member.target());
  }

  /** Drops from {@code assigned} what the member no longer owns and no longer targets. */
  private static MemberState release(MemberState m, Set<TopicPartition> owned) {
    Set<TopicPartition> kept = new TreeSet<>();
    for (TopicPartition tp : m.assigned()) {
      if (owned.contains(tp) || m.target().contains(tp)) {
        kept.add(tp);
      }
    }
    return kept.equals(m.assigned()) ? m : m.withAssigned(kept);
  }

  /**
   * Recomputes the target assignment; bumps the group epoch if membership changed or the target
   * moved (topics created or grown, for instance).
   */
  GroupMetadata reassign(
      GroupMetadata g, boolean membershipChanged, Map<String, Integer> partitionCounts) {
    SortedMap<String, Set<String>> subs = new TreeMap<>();
    Map<String, Set<TopicPartition>> previous = new HashMap<>();
    g.members()
        .forEach(
            (id, m) -> {
              subs.put(id, new HashSet<>(m.subscriptions()));
              previous.put(id, m.target());
            });
    Map<String, Set<TopicPartition>> target =
        assignors.get(g.assignor()).assign(subs, partitionCounts, previous);
    boolean targetChanged = false;
    Map<String, MemberState> members = new TreeMap<>();
    for (MemberState m : g.members().values()) {
      Set<TopicPartition> t = target.getOrDefault(m.memberId(), Set.of());
      targetChanged |= !MemberState.sorted(t).equals(m.target());
      members.put(m.memberId(), m.withTarget(t));
    }
    if (!membershipChanged && !targetChanged) {
      return g;
    }
    int epoch = g.groupEpoch() + 1;
    return g.withMembers(members, epoch, epoch);
  }

  /**
   * Grants the member every target partition no other member holds, and moves its epoch to the
   * assignment epoch once it has nothing left to revoke.
   */
  GroupMetadata reconcile(GroupMetadata g, String memberId) {
    MemberState m = g.members().get(memberId);
    Set<TopicPartition> heldByOthers = new HashSet<>();
    g.members()
        .forEach(
            (id, other) -> {
              if (!id.equals(memberId)) {
                heldByOthers.addAll(other.assigned());
              }
            });
    Set<TopicPartition> assigned = new TreeSet<>(m.assigned());
    for (TopicPartition tp : m.target()) {
      if (!heldByOthers.contains(tp)) {
        assigned.add(tp);
      }
    }
    MemberState next = m.withAssigned(assigned);
    if (next.pendingRevocation().isEmpty()) {
      next = next.withEpoch(g.assignmentEpoch());
    }
    return next.equals(m) ? g : g.withMember(next);
  }

  /** Removes a member (left or session expired); its partitions are free at once. */
  public GroupMetadata remove(
      GroupMetadata g, String memberId, Map<String, Integer> partitionCounts) {
    if (!g.members().containsKey(memberId)) {
      return g;
    }
    Map<String, MemberState> rest = new TreeMap<>(g.members());
    rest.remove(memberId);
    return reassign(
        g.withMembers(rest, g.groupEpoch(), g.assignmentEpoch()), true, partitionCounts);
  }

  /**
   * Checks a member's right to commit offsets for {@code partitions}; returns NONE or the error. An
   * empty member id with epoch -1 is an admin commit, allowed only for an empty group.
   */
  public static Rejected checkCommit(
      GroupMetadata g, String memberId, int memberEpoch, Set<TopicPartition> partitions) {
    if (memberId.isEmpty() && memberEpoch == -1) {
      return g.members().isEmpty()
          ? null
          : new Rejected(
              ErrorCode.GROUP_NOT_EMPTY,
              "group '" + g.groupId() + "' has members; only they may commit");
    }
    MemberState m = g.members().get(memberId);
    if (m == null) {
      return new Rejected(
          ErrorCode.UNKNOWN_MEMBER_ID,
          "member '" + memberId + "' is not in group '" + g.groupId() + "'");
    }
    if (memberEpoch > m.memberEpoch()) {
      return new Rejected(
          ErrorCode.FENCED_MEMBER_EPOCH,
          String.format(
              "member '%s' sent epoch %d, newer than its epoch %d",
              memberId, memberEpoch, m.memberEpoch()));
    }
    if (memberEpoch != m.memberEpoch() && memberEpoch != m.previousEpoch()) {
      return new Rejected(
          ErrorCode.STALE_MEMBER_EPOCH,
          String.format(
              "member '%s' sent epoch %d; its epoch is %d",
              memberId, memberEpoch, m.memberEpoch()));
    }
    for (TopicPartition tp : partitions) {
      if (!m.assigned().contains(tp)) {
        return new Rejected(
            ErrorCode.FENCED_MEMBER_EPOCH,
            "member '" + memberId + "' does not own " + tp + " and may not commit its offset");
      }
    }
    return null;
  }
}
