package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.group.GroupRecord.GroupTombstone;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.RaftRole;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CoordinatorStateMachineTest {
  private long index;

  private Entry entry(long term, GroupRecord... records) {
    return new Entry(term, ++index, EntryType.NORMAL, GroupRecordCodec.encode(List.of(records)));
  }

  private static GroupMetadata group(String id) {
    TreeMap<String, MemberState> members = new TreeMap<>();
    members.put(
        "m1",
        new MemberState(
            "m1",
            3,
            2,
            "client-1",
            30_000,
            List.of("t"),
            Set.of(new TopicPartition("t", 0), new TopicPartition("t", 1)),
            Set.of(new TopicPartition("t", 0))));
    return new GroupMetadata(id, 3, 3, UniformAssignor.NAME, members);
  }

  @Test
  void snapshotRestoresGroupsAndOffsets() {
    CoordinatorStateMachine sm = new CoordinatorStateMachine(0);
    sm.apply(new Entry(1, ++index, EntryType.NOOP, new byte[0]));
    sm.apply(entry(1, group("a"), new OffsetCommit("a", "t", 0, 42, "meta", 1000, 3)));
    sm.apply(
        entry(
            1,
            new OffsetCommit("b", "t", 1, 7, "", 1001, -1),
            new OffsetCommit("b", "t", 1, 9, "x", 1002, -1)));
    sm.apply(entry(1, group("c")));
    sm.apply(entry(1, new GroupTombstone("c")));
    byte[] image = sm.takeSnapshot();

    CoordinatorStateMachine restored = new CoordinatorStateMachine(0);
    restored.restoreSnapshot(new Snapshot(index, 1, Membership.ofVoters(Set.of(1)), image));
    GroupsState s = restored.state();
    assertEquals(List.of("a", "b"), s.groupIds());
    assertEquals(group("a"), s.metadata("a").orElseThrow());
    assertEquals(42, s.offsets("a").get(new TopicPartition("t", 0)).offset());
    assertEquals("meta", s.offsets("a").get(new TopicPartition("t", 0)).metadata());
    assertEquals(9, s.offsets("b").get(new TopicPartition("t", 1)).offset());
    assertFalse(s.exists("c"));
    assertEquals(sm.state().toRecords(), s.toRecords());
    // Replaying the log onto an empty machine gives the same image.
    assertEquals(new ArrayList<>(sm.state().toRecords()), GroupRecordCodec.decodeAll(image));
  }

  @Test
  void servesOnlyAfterApplyingAnEntryOfItsTerm() {
    CoordinatorStateMachine sm = new CoordinatorStateMachine(0);
    List<Boolean> events = new ArrayList<>();
    sm.addListener(events::add);
    sm.apply(entry(1, new OffsetCommit("a", "t", 0, 1, "", 1, -1)));
    sm.onRoleChange(new SoftState(RaftRole.LEADER, 1, 2));
    assertFalse(sm.serving(), "an entry of term 2 is not applied yet");
    sm.apply(new Entry(2, ++index, EntryType.NOOP, new byte[0]));
    assertTrue(sm.serving());
    sm.onRoleChange(new SoftState(RaftRole.FOLLOWER, 2, 3));
    assertFalse(sm.serving());
    assertEquals(List.of(true, false), events);
  }

  @Test
  void codecRoundTripsEveryRecordType() {
    List<GroupRecord> records =
        List.of(
            group("g"),
            new OffsetCommit("g", "topic", 3, Long.MAX_VALUE, "m", 5, 9),
            new GroupTombstone("g"));
    assertEquals(records, GroupRecordCodec.decode(GroupRecordCodec.encode(records)));
    assertEquals(records, GroupRecordCodec.decodeAll(GroupRecordCodec.encodeAll(records)));
    assertTrue(GroupRecordCodec.isGroupEntry(GroupRecordCodec.encode(records)));
    assertFalse(GroupRecordCodec.isGroupEntry(new byte[] {0x01}));
  }
}
