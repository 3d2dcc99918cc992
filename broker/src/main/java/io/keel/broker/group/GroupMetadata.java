package io.keel.broker.group;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Membership and assignment of one group, written whenever either changes (never for a heartbeat
 * that changes nothing).
 *
 * @param groupEpoch bumped on every membership, subscription or target-assignment change
 * @param assignmentEpoch the group epoch the current target assignment was computed for
 * @param assignor the server-side assignor's name
 * @param members by member id
 */
public record GroupMetadata(
    String groupId,
    int groupEpoch,
    int assignmentEpoch,
    String assignor,
    SortedMap<String, MemberState> members)
    implements GroupRecord {

  public GroupMetadata {
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  public static GroupMetadata empty(String groupId, String assignor) {
    return new GroupMetadata(groupId, 0, 0, assignor, new TreeMap<>());
  }

  GroupMetadata withMembers(Map<String, MemberState> value, int epoch, int assignmentEpoch) {
    return new GroupMetadata(groupId, epoch, assignmentEpoch, assignor, new TreeMap<>(value));
  }

  GroupMetadata withMember(MemberState member) {
    TreeMap<String, MemberState> next = new TreeMap<>(members);
    next.put(member.memberId(), member);
    return new GroupMetadata(groupId, groupEpoch, assignmentEpoch, assignor, next);
  }

  /** The group's state as DescribeGroups and ListGroups report it. */
  public State state() {
    if (members.isEmpty()) {
      return State.EMPTY;
    }
    for (MemberState m : members.values()) {
      if (m.memberEpoch() != assignmentEpoch || !m.assigned().equals(m.target())) {
        return State.RECONCILING;
      }
    }
    return State.STABLE;
  }

  /** Lifecycle states. */
  public enum State {
    EMPTY,
    RECONCILING,
    STABLE
  }
}
