package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final Snapshot SNAP =
      new Snapshot(50, 3, Membership.ofVoters(Set.of(1, 2, 3)), new byte[0]);

  @Test
  void probeSendsOneAppendAtATime() {
    Progress pr = new Progress(11, 4, 1000);
    assertEquals(Progress.State.PROBE, pr.state());
    assertFalse(pr.isPaused());
    pr.sentAppend(12, 10, true);
    assertTrue(pr.isPaused());
    assertEquals(11, pr.next(), "probe does not advance next optimistically");
    pr.onHeartbeatResponse();
    assertFalse(pr.isPaused());
  }

  @Test
  void acceptedProbeSwitchesToReplicate() {
    Progress pr = new Progress(11, 4, 1000);
    pr.sentAppend(12, 10, true);
    assertTrue(pr.onAppendAccepted(12));
    assertEquals(Progress.State.REPLICATE, pr.state());
    assertEquals(12, pr.match());
    assertEquals(13, pr.next());
  }

  @Test
  void rejectedProbeBacksOffUsingTheHint() {
    Progress pr = new Progress(20, 4, 1000);
    pr.sentAppend(21, 10, true);
    assertTrue(pr.onAppendRejected(19, 7, 30));
    assertEquals(8, pr.next());
    assertFalse(pr.isPaused());
    assertTrue(pr.onAppendRejected(7, 30, 30));
    assertEquals(7, pr.next(), "a hint above next still moves next back by one");
  }

  @Test
  void rejectionOfAProbeNoLongerOutstandingIsIgnored() {
    Progress pr = new Progress(20, 4, 1000);
    pr.sentAppend(20, 0, false);
    assertFalse(pr.onAppendRejected(12, 3, 30));
    assertEquals(20, pr.next());
  }

  @Test
  void staleRejectionBelowMatchIsIgnoredWhileReplicating() {
    Progress pr = replicating(10);
    pr.sentAppend(15, 10, true);
    assertFalse(pr.onAppendRejected(7, 3, 30));
    assertEquals(Progress.State.REPLICATE, pr.state());
    assertEquals(10, pr.match());
  }

  @Test
  void memberThatLostAcknowledgedEntriesIsProbedBelowItsOldMatch() {
    Progress pr = replicating(10);
    pr.sentAppend(15, 10, true);
    assertTrue(pr.onAppendRejected(15, 4, 4), "log shorter than the acknowledged match");
    assertEquals(0, pr.match(), "no longer counts towards commit");
    assertEquals(5, pr.next());
    assertEquals(Progress.State.PROBE, pr.state());
    pr.sentAppend(4, 0, false);
    assertTrue(pr.onAppendAccepted(4));
    assertEquals(4, pr.match());
  }

  @Test
  void rejectionAtTheMatchProvesLostEntries() {
    Progress pr = replicating(10);
    assertTrue(pr.onAppendRejected(10, 2, 12));
    assertEquals(0, pr.match());
    assertEquals(3, pr.next());
  }

  @Test
  void replicatePipelinesUntilTheWindowIsFullByCount() {
    Progress pr = replicating(10);
    for (int i = 0; i < 4; i++) {
      assertFalse(pr.isPaused());
      pr.sentAppend(11 + i, 10, true);
    }
    assertTrue(pr.isPaused());
    assertEquals(15, pr.next());
    pr.onAppendAccepted(12);
    assertFalse(pr.isPaused());
  }

  @Test
  void replicateWindowIsBoundedByBytes() {
    Progress pr = replicating(10);
    pr.sentAppend(15, 600, true);
    assertFalse(pr.isPaused());
    pr.sentAppend(20, 600, true);
    assertTrue(pr.isPaused());
  }

  @Test
  void heartbeatResponseFreesTheOldestRequestOfAFullWindow() {
    Progress pr = replicating(10);
    pr.sentAppend(15, 2000, true);
    assertTrue(pr.isPaused());
    pr.onHeartbeatResponse();
    assertFalse(pr.isPaused());
  }

  @Test
  void rejectionWhileReplicatingFallsBackToProbeAtMatch() {
    Progress pr = replicating(10);
    pr.sentAppend(15, 10, true);
    assertTrue(pr.onAppendRejected(15, 3, 16));
    assertEquals(Progress.State.PROBE, pr.state());
    assertEquals(11, pr.next());
  }

  @Test
  void snapshotPausesAppendsUntilDoneThenProbesAfterIt() {
    Progress pr = replicating(10);
    pr.becomeSnapshot(SNAP);
    assertTrue(pr.isPaused());
    pr.onSnapshotProgress(100);
    assertEquals(100, pr.snapshotOffset());
    pr.becomeProbe();
    assertEquals(50, pr.match());
    assertEquals(51, pr.next());
  }

  @Test
  void snapshotStallIsReportedAfterTheGivenTicks() {
    Progress pr = replicating(10);
    pr.becomeSnapshot(SNAP);
    assertFalse(pr.snapshotStalled(3));
    assertFalse(pr.snapshotStalled(3));
    assertTrue(pr.snapshotStalled(3));
  }

  private static Progress replicating(long match) {
    Progress pr = new Progress(match + 1, 4, 1000);
    pr.onAppendAccepted(match);
    assertEquals(Progress.State.REPLICATE, pr.state());
    return pr;
  }
}
