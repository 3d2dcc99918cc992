package io.keel.chaos.checker;

import static io.keel.chaos.history.TestHistory.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.history.Event;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Op.FaultAction;
import io.keel.chaos.history.Phase;
import io.keel.chaos.history.Rec;
import io.keel.chaos.history.TestHistory;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each anomaly is planted in an otherwise clean history and must be found, and only it. */
class CheckerTest {
  private final Checker checker = new Checker(CheckerConfig.idempotent());

  /** Two partitions, three values, a consumer and offset commits: nothing wrong. */
  private static TestHistory clean() {
    return new TestHistory()
        .send(1, 0, 100, 0)
        .send(1, 0, 101, 1)
        .send(2, 1, 200, 0)
        .assign(3, 0, 1)
        .poll(3, rec(0, 0, 100), rec(1, 0, 200))
        .poll(3, rec(0, 1, 101))
        .commit(3, "g", 0, 2)
        .commit(3, "g", 1, 1)
        .readOffsets(4, "g", Map.of(0, 2L, 1, 1L))
        .finalRead(rec(0, 0, 100), rec(0, 1, 101), rec(1, 0, 200));
  }

  private CheckResult check(TestHistory h) {
    return checker.check(h.history(), ReplicaLogs.none());
  }

  private static void assertOnly(CheckResult result, AnomalyType... expected) {
    Set<AnomalyType> want = expected.length == 0 ? Set.of() : EnumSet.of(expected[0], expected);
    for (AnomalyType t : AnomalyType.values()) {
      AnomalyReport r = result.anomalies().get(t);
      assertEquals(want.contains(t), r.count() > 0, t + " -> " + r);
      if (want.contains(t)) {
        assertFalse(r.examples().isEmpty(), t + " has no example");
      }
    }
    assertEquals(want.isEmpty(), result.valid());
  }

  @Test
  void cleanHistoryHasNoAnomalies() {
    CheckResult result = check(clean());
    assertOnly(result);
    assertEquals(3L, result.opCounts().get("send.ok"));
  }

  @Test
  void findsLostWriteWhenLaterOffsetsWereRead() {
    TestHistory h =
        new TestHistory()
            .send(1, 0, 100, 0)
            .send(1, 0, 101, 1)
            .finalRead(rec(0, 1, 101), rec(0, 2, 555))
            .sendOutcome(2, 0, 555, Phase.INFO);
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.LOST_WRITE);
    assertTrue(result.anomalies().get(AnomalyType.LOST_WRITE).examples().get(0).contains("100"));
  }

  @Test
  void findsUnseenWriteWhenNothingLaterWasRead() {
    TestHistory h =
        new TestHistory().send(1, 0, 100, 0).send(1, 0, 101, 1).finalRead(rec(0, 0, 100));
    assertOnly(check(h), AnomalyType.UNSEEN_WRITE);
  }

  @Test
  void everyAckIsUnseenWithoutASuccessfulFinalRead() {
    TestHistory h = new TestHistory().send(1, 0, 100, 0).send(1, 1, 101, 0);
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.UNSEEN_WRITE);
    assertEquals(2, result.count(AnomalyType.UNSEEN_WRITE));
  }

  @Test
  void indeterminateAndFailedSendsMayBeMissing() {
    TestHistory h =
        new TestHistory()
            .sendOutcome(1, 0, 100, Phase.INFO)
            .sendOutcome(1, 0, 101, Phase.FAIL)
            .finalRead();
    assertOnly(check(h));
  }

  @Test
  void findsDuplicatesOnlyWhenIdempotenceIsExpected() {
    TestHistory h = new TestHistory().send(1, 0, 100, 1).finalRead(rec(0, 0, 100), rec(0, 1, 100));
    assertOnly(check(h), AnomalyType.DUPLICATE);

    CheckResult relaxed =
        new Checker(new CheckerConfig(false, 5)).check(h.history(), ReplicaLogs.none());
    assertEquals(1, relaxed.count(AnomalyType.DUPLICATE));
    assertTrue(relaxed.valid());
  }

  @Test
  void findsTwoValuesAtOneOffsetAcrossAckAndRead() {
    TestHistory h =
        new TestHistory()
            .send(1, 0, 100, 0)
            .send(2, 0, 101, 0)
            .finalRead(rec(0, 0, 100), rec(0, 1, 101));
    CheckResult result = check(h);
    // 101 was acknowledged at offset 0, but offset 0 holds 100 and 101 is at offset 1.
    assertTrue(result.count(AnomalyType.INCONSISTENT_OFFSET) > 0);
    assertFalse(result.valid());
  }

  @Test
  void findsTwoValuesAtOneOffsetAcrossPolls() {
    TestHistory h =
        clean().at(1000).assign(5, 0).poll(5, rec(0, 0, 101)).at(2000).poll(6, rec(0, 0, 100));
    // Value 101 also appears at offset 1 in the clean part, so it is a duplicate too.
    assertOnly(check(h), AnomalyType.INCONSISTENT_OFFSET, AnomalyType.DUPLICATE);
  }

  @Test
  void findsPhantomReads() {
    TestHistory h =
        clean().sendOutcome(1, 1, 201, Phase.FAIL).at(100).poll(7, rec(1, 1, 201), rec(1, 2, 999));
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.PHANTOM_READ);
    assertEquals(2, result.count(AnomalyType.PHANTOM_READ));
  }

  @Test
  void findsNonMonotonicPollWithinOwnership() {
    TestHistory h = clean().at(100).poll(3, rec(0, 0, 100));
    assertOnly(check(h), AnomalyType.POLL_NONMONOTONIC);
  }

  @Test
  void findsSkippingPollWithinOwnership() {
    TestHistory h =
        new TestHistory()
            .send(1, 0, 100, 0)
            .send(1, 0, 101, 1)
            .send(1, 0, 102, 2)
            .assign(3, 0)
            .poll(3, rec(0, 0, 100))
            .poll(3, rec(0, 2, 102))
            .finalRead(rec(0, 0, 100), rec(0, 1, 101), rec(0, 2, 102));
    assertOnly(check(h), AnomalyType.POLL_SKIP);
  }

  @Test
  void newOwnershipMayRestartFromAnyOffset() {
    TestHistory h = clean().at(100).assign(3, 0).poll(3, rec(0, 0, 100), rec(0, 1, 101));
    assertOnly(check(h));
  }

  @Test
  void findsCommitThatMovesOffsetBack() {
    TestHistory h = clean().at(100).commit(4, "g", 0, 1);
    assertOnly(check(h), AnomalyType.COMMIT_REGRESSION);
  }

  @Test
  void concurrentCommitsMayLandInEitherOrder() {
    TestHistory h = clean();
    h.at(100).recorder().invoke(4, new io.keel.chaos.history.Op.Commit("g", Map.of(0, 5L)));
    h.recorder().invoke(5, new io.keel.chaos.history.Op.Commit("g", Map.of(0, 3L)));
    h.at(101).recorder().ok(4, new io.keel.chaos.history.Op.Commit("g", Map.of(0, 5L)));
    h.at(102).recorder().ok(5, new io.keel.chaos.history.Op.Commit("g", Map.of(0, 3L)));
    h.at(110).readOffsets(6, "g", Map.of(0, 3L, 1, 1L));
    assertOnly(check(h));
  }

  @Test
  void findsStaleCommittedOffsetRead() {
    TestHistory h = clean().at(100).readOffsets(4, "g", Map.of(0, 2L, 1, 1L));
    h.at(200).commit(3, "g", 0, 3).at(300).readOffsets(4, "g", Map.of(0, 2L, 1, 1L));
    assertOnly(check(h), AnomalyType.STALE_OFFSET_READ);
  }

  @Test
  void findsMissingAndNeverCommittedOffsetReads() {
    TestHistory h =
        clean()
            .at(100)
            .readOffsets(4, "g", Map.of(1, 1L))
            .readOffsets(4, "g", Map.of(0, 9L, 1, 1L));
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.STALE_OFFSET_READ);
    assertEquals(2, result.count(AnomalyType.STALE_OFFSET_READ));
  }

  @Test
  void findsDivergentReplicas() {
    List<Rec> leader = List.of(rec(0, 0, 100), rec(0, 1, 101));
    List<Rec> follower = List.of(rec(0, 0, 100), rec(0, 1, 555));
    List<Rec> lagging = List.of(rec(0, 0, 100));
    ReplicaLogs logs = new ReplicaLogs(Map.of(0, Map.of(1, leader, 2, follower, 3, lagging)));
    CheckResult result = checker.check(clean().history(), logs);
    // Offset 1 holds 555 on the follower but 101 per the clients: inconsistent as well.
    assertOnly(result, AnomalyType.REPLICA_DIVERGENCE, AnomalyType.INCONSISTENT_OFFSET);
    assertEquals(1, result.count(AnomalyType.REPLICA_DIVERGENCE));
    assertTrue(
        checker
            .check(clean().history(), new ReplicaLogs(Map.of(0, Map.of(1, leader, 3, lagging))))
            .valid());
  }

  @Test
  void findsReplicaDisagreeingWithWhatClientsRead() {
    ReplicaLogs logs = new ReplicaLogs(Map.of(1, Map.of(2, List.of(rec(1, 0, 999)))));
    CheckResult result = checker.check(clean().history(), logs);
    assertOnly(result, AnomalyType.INCONSISTENT_OFFSET);
    assertTrue(
        result
            .anomalies()
            .get(AnomalyType.INCONSISTENT_OFFSET)
            .examples()
            .get(0)
            .contains("node 2"));
  }

  @Test
  void keepsOnlyTheConfiguredNumberOfExamples() {
    TestHistory h = new TestHistory();
    for (int i = 0; i < 20; i++) {
      h.send(1, 0, i, i);
    }
    h.finalRead();
    CheckResult result =
        new Checker(new CheckerConfig(true, 3)).check(h.history(), ReplicaLogs.none());
    assertEquals(20, result.count(AnomalyType.UNSEEN_WRITE));
    assertEquals(3, result.anomalies().get(AnomalyType.UNSEEN_WRITE).examples().size());
  }

  @Test
  void measuresLongestWriteGapAndRecoveryAfterHeal() {
    TestHistory h = new TestHistory();
    h.at(0).send(1, 0, 1, 0);
    h.at(1000).fault("kill", FaultAction.START);
    h.at(5000).fault("kill", FaultAction.HEAL);
    h.at(5500).send(1, 0, 2, 1);
    h.at(6000).send(1, 0, 3, 2);
    h.finalRead(rec(0, 0, 1), rec(0, 1, 2), rec(0, 2, 3));

    Availability a = check(h).availability();

    assertEquals(1, a.longestWriteGaps().size());
    assertEquals(5.5, a.longestWriteGaps().get(0).seconds(), 0.01);
    assertEquals(1, a.faults().size());
    Availability.FaultWindow f = a.faults().get(0);
    assertEquals(1.0, f.startSeconds(), 0.01);
    assertEquals(5.001, f.healSeconds(), 0.01);
    assertEquals(0.5, f.recoverySeconds(), 0.01);
    assertEquals(4.5, f.stallSeconds(), 0.01);
  }

  @Test
  void stallCountsOnlyPartitionsWrittenBeforeTheFaultAndWaitsForTheSlowest() {
    TestHistory h = new TestHistory();
    h.at(0).send(1, 2, 100, 0); // p2: idle long before the fault, ignored
    h.at(5000).send(1, 0, 1, 0);
    h.at(5100).send(1, 1, 2, 0);
    h.at(6000).fault("kill-leader", FaultAction.START);
    h.at(6050).send(1, 0, 3, 1); // p0 unaffected
    h.at(6800).send(1, 1, 4, 1); // p1 led by the killed node
    h.at(7000).fault("kill-leader", FaultAction.HEAL);
    h.at(9000).send(1, 2, 101, 1);
    h.finalRead(
        rec(0, 0, 1), rec(0, 1, 3), rec(1, 0, 2), rec(1, 1, 4), rec(2, 0, 100), rec(2, 1, 101));

    Availability a = check(h).availability();

    assertEquals(0.8, a.faults().get(0).stallSeconds(), 0.01);
    assertEquals(Double.POSITIVE_INFINITY, a.faults().get(0).sinceHealSeconds());
    Availability.StallStats stats = a.stallsByFault(15).get(0);
    assertEquals("kill-leader", stats.name());
    assertEquals(0.8, stats.p99(), 0.01);
  }

  @Test
  void stallCountsFromWhenTheFaultTookEffect() {
    // The SIGSTOP is asked for at 6.000 s and delivered at 6.060 s; an answer the node sent at
    // 6.030 s, before it stopped, is no failover. The new leader's first ack comes at 6.500 s.
    TestHistory h = new TestHistory();
    Op.Fault pause = new Op.Fault("pause-leader", FaultAction.START, "node 1 (leader of p0)");
    h.at(5000).send(1, 0, 1, 0);
    h.at(6000).recorder().invoke(Event.NEMESIS, pause);
    h.at(6030).send(1, 0, 2, 1);
    h.at(6060).recorder().ok(Event.NEMESIS, pause);
    h.at(6500).send(1, 0, 3, 2);
    h.at(9000).fault("pause-leader", FaultAction.HEAL);
    h.finalRead(rec(0, 0, 1), rec(0, 1, 2), rec(0, 2, 3));

    Availability.FaultWindow f = check(h).availability().faults().get(0);

    assertEquals(6.0, f.startSeconds(), 0.01);
    assertEquals(0.44, f.stallSeconds(), 0.01);
  }
}
