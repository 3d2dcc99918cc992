package io.keel.broker.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.group.CoordinatorStateMachine;
import io.keel.broker.share.ShareRecord.Acknowledged;
import io.keel.broker.share.ShareRecord.Acquired;
import io.keel.broker.share.ShareRecord.DeadLettered;
import io.keel.broker.share.ShareRecord.Delay;
import io.keel.broker.share.ShareRecord.LocksExpired;
import io.keel.broker.share.ShareRecord.MemberJoined;
import io.keel.broker.share.ShareRecord.MemberLeft;
import io.keel.broker.share.ShareRecord.WindowFilled;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.Snapshot;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Transitions and typed errors of one share partition's replicated state. */
class ShareStateTest {
  private static final String G = "g";
  private static final String T = "t";
  private final ShareState state = new ShareState();

  private SharePartitionState p() {
    return state.partition(G, T, 0).orElseThrow();
  }

  private void fill(long from, long to, long atMs, Delay... delayed) {
    state.apply(new WindowFilled(G, T, 0, from, to, List.of(delayed), atMs));
  }

  private void acquire(String member, long atMs, long deadline, int limit, Long... offsets) {
    state.apply(new Acquired(G, T, 0, member, List.of(offsets), atMs, deadline, limit));
  }

  private AckError ack(String member, long offset, AckType type, long atMs) {
    return state.apply(new Acknowledged(G, T, 0, member, offset, type, atMs, atMs + 1000));
  }

  @Test
  void acceptedRecordIsDoneAndTheWindowMovesOn() {
    fill(0, 3, 100);
    acquire("a", 100, 200, 5, 0L, 1L);
    assertEquals(RecordState.ACQUIRED, p().stateOf(0));
    assertEquals(AckError.NONE, ack("a", 0, AckType.ACCEPT, 150));
    assertEquals(RecordState.DONE, p().stateOf(0));
    assertEquals(1, p().startOffset());
    assertEquals(3, p().endOffset());
    assertEquals(RecordState.NOT_READ, p().stateOf(3));
    // Accepted again: unknown offset, nothing changes.
    assertEquals(AckError.UNKNOWN_OFFSET, ack("a", 0, AckType.ACCEPT, 150));
    assertEquals(1, p().counters().accepted());
  }

  @Test
  void acknowledgementsOfRecordsNotHeldChangeNothing() {
    fill(0, 2, 100);
    acquire("a", 100, 200, 5, 0L);
    assertEquals(AckError.NOT_HELD, ack("b", 0, AckType.ACCEPT, 150));
    assertEquals(AckError.NOT_HELD, ack("a", 1, AckType.ACCEPT, 150)); // available, not acquired
    assertEquals(AckError.UNKNOWN_OFFSET, ack("a", 7, AckType.ACCEPT, 150));
    assertEquals(AckError.LOCK_EXPIRED, ack("a", 0, AckType.ACCEPT, 201));
    InFlightRecord r = p().record(0);
    assertEquals(RecordState.ACQUIRED, r.state());
    assertEquals("a", r.memberId());
    assertEquals(1, r.deliveryCount());
  }

  @Test
  void expiredLockReleasesAndTheNextAcquisitionCountsADelivery() {
    fill(0, 1, 100);
    acquire("a", 100, 200, 5, 0L);
    state.apply(new LocksExpired(G, T, 0, 199));
    assertEquals(RecordState.ACQUIRED, p().stateOf(0));
    state.apply(new LocksExpired(G, T, 0, 200));
    assertEquals(RecordState.AVAILABLE, p().stateOf(0));
    assertEquals(1, p().counters().lockExpiries());
    acquire("b", 300, 400, 5, 0L);
    assertEquals(2, p().record(0).deliveryCount());
    assertEquals(1, p().counters().redeliveries());
    assertEquals(AckError.NOT_HELD, ack("a", 0, AckType.ACCEPT, 310)); // the old holder is out
  }

  @Test
  void renewMovesTheDeadlineNeverBack() {
    fill(0, 1, 100);
    acquire("a", 100, 200, 5, 0L);
    state.apply(new Acknowledged(G, T, 0, "a", 0, AckType.RENEW, 150, 5000));
    assertEquals(5000, p().record(0).lockDeadlineMs());
    state.apply(new Acknowledged(G, T, 0, "a", 0, AckType.RENEW, 160, 300));
    assertEquals(5000, p().record(0).lockDeadlineMs());
    state.apply(new LocksExpired(G, T, 0, 4999));
    assertEquals(RecordState.ACQUIRED, p().stateOf(0));
  }

  @Test
  void deliveryLimitDeadLettersAndArchivesOnlyAfterTheProduce() {
    fill(0, 1, 100);
    for (int i = 1; i <= 3; i++) {
      acquire("a", 100L * i, 100L * i + 50, 3, 0L);
      assertEquals(i, p().record(0).deliveryCount());
      assertEquals(AckError.NONE, ack("a", 0, AckType.RELEASE, 100L * i + 10));
    }
    assertEquals(RecordState.ARCHIVING, p().stateOf(0));
    assertEquals("delivery limit", p().record(0).reason());
    acquire("a", 1000, 2000, 3, 0L); // not acquirable any more
    assertEquals(RecordState.ARCHIVING, p().stateOf(0));
    assertEquals(0, p().startOffset());
    state.apply(new DeadLettered(G, T, 0, 0));
    assertEquals(RecordState.DONE, p().stateOf(0));
    assertEquals(1, p().counters().deadLettered());
  }

  @Test
  void rejectDeadLettersAtOnce() {
    fill(0, 1, 100);
    acquire("a", 100, 200, 5, 0L);
    assertEquals(AckError.NONE, ack("a", 0, AckType.REJECT, 110));
    assertEquals(RecordState.ARCHIVING, p().stateOf(0));
    assertEquals("rejected", p().record(0).reason());
    assertEquals(Set.of(0L), p().archivingOffsets());
  }

  @Test
  void leavingMemberReleasesItsRecordsOnly() {
    state.apply(new MemberJoined(G, "a", "c", List.of(T)));
    state.apply(new MemberJoined(G, "b", "c", List.of(T)));
    fill(0, 4, 100);
    acquire("a", 100, 200, 5, 0L, 1L);
    acquire("b", 100, 200, 5, 2L);
    assertEquals(2, state.group(G, false).orElseThrow().heldBy("a"));
    state.apply(new MemberLeft(G, "a"));
    assertEquals(RecordState.AVAILABLE, p().stateOf(0));
    assertEquals(RecordState.AVAILABLE, p().stateOf(1));
    assertEquals(RecordState.ACQUIRED, p().stateOf(2));
    assertEquals(Set.of("b"), state.group(G, false).orElseThrow().members().keySet());
  }

  @Test
  void delayedRecordsAreNotAcquirableBeforeTheirTime() {
    fill(0, 3, 100, new Delay(1, 500), new Delay(2, 50));
    assertEquals(RecordState.DELAYED, p().stateOf(1));
    assertEquals(RecordState.AVAILABLE, p().stateOf(2)); // already due when read
    assertEquals(List.of(0L, 2L), p().acquirable(499, 10));
    acquire("a", 499, 1000, 5, 0L, 1L, 2L);
    assertEquals(RecordState.DELAYED, p().stateOf(1));
    assertEquals(List.of(1L), p().acquirable(500, 10));
    acquire("a", 500, 1000, 5, 1L);
    assertEquals(RecordState.ACQUIRED, p().stateOf(1));
    assertEquals(2, p().inFlight() - p().availableCount() - 1);
  }

  @Test
  void fillFromAnOlderWindowEndIsIgnored() {
    fill(0, 3, 100);
    fill(1, 5, 100);
    assertEquals(3, p().endOffset());
  }

  @Test
  void snapshotCarriesShareStateThroughTheCoordinatorStateMachine() {
    CoordinatorStateMachine sm = new CoordinatorStateMachine(0);
    long index = 0;
    for (ShareRecord r :
        List.<ShareRecord>of(
            new MemberJoined(G, "a", "c", List.of(T)),
            new WindowFilled(G, T, 0, 0, 4, List.of(new Delay(3, 9_000)), 100),
            new Acquired(G, T, 0, "a", List.of(0L, 1L), 100, 200, 5),
            new Acknowledged(G, T, 0, "a", 0, AckType.ACCEPT, 150, 0),
            new Acknowledged(G, T, 0, "a", 1, AckType.REJECT, 150, 0))) {
      sm.apply(new Entry(1, ++index, EntryType.NORMAL, ShareRecordCodec.encode(List.of(r))));
    }
    byte[] image = sm.takeSnapshot();
    CoordinatorStateMachine restored = new CoordinatorStateMachine(0);
    restored.restoreSnapshot(new Snapshot(index, 1, Membership.ofVoters(Set.of(1)), image));
    assertEquals(sm.shares().toRecords(), restored.shares().toRecords());
    SharePartitionState p = restored.shares().partition(G, T, 0).orElseThrow();
    assertEquals(1, p.startOffset());
    assertEquals(RecordState.ARCHIVING, p.stateOf(1));
    assertEquals(RecordState.DELAYED, p.stateOf(3));
    assertTrue(restored.shares().group(G, false).orElseThrow().members().containsKey("a"));
  }
}
