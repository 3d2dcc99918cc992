package io.keel.chaos.checker;

import static io.keel.chaos.history.TestHistory.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.chaos.history.Op;
import io.keel.chaos.history.Op.FaultAction;
import io.keel.chaos.history.TestHistory;
import org.junit.jupiter.api.Test;

/** Heal-to-ack times and non-retriable client errors per fault (kill-two, rolling-restart). */
class OutageAvailabilityTest {
  private final Checker checker = new Checker(CheckerConfig.idempotent());

  private Availability availability(TestHistory h) {
    return checker.check(h.history(), ReplicaLogs.none()).availability();
  }

  @Test
  void backToAckWaitsForEveryPartitionTheFaultStoppedAndIgnoresTheOthers() {
    TestHistory h = new TestHistory();
    h.at(1000).send(1, 0, 1, 0);
    h.at(1100).send(1, 1, 2, 0);
    h.at(2000).fault("kill-two", FaultAction.START);
    h.at(3000).send(1, 0, 3, 1); // p0 kept its majority: not stopped
    h.at(10000).fault("kill-two", FaultAction.HEAL); // ends at 10.001 s
    h.at(10700).send(1, 1, 4, 1); // p1 lost its majority: back 0.7 s after the heal
    h.at(10800).send(1, 0, 5, 2);
    h.finalRead(rec(0, 0, 1), rec(0, 1, 3), rec(0, 2, 5), rec(1, 0, 2), rec(1, 1, 4));

    Availability a = availability(h);

    Availability.FaultWindow f = a.faults().get(0);
    assertEquals(0.699, f.backSeconds(), 0.005);
    Availability.StallStats back = a.backToAckByFault(15).get(0);
    assertEquals("kill-two", back.name());
    assertEquals(0.699, back.p99(), 0.005);
  }

  @Test
  void backToAckIsNeverWhenAStoppedPartitionNeverRecovers() {
    TestHistory h = new TestHistory();
    h.at(1000).send(1, 0, 1, 0);
    h.at(2000).fault("kill-two", FaultAction.START);
    h.at(10000).fault("kill-two", FaultAction.HEAL);
    h.finalRead(rec(0, 0, 1));

    assertEquals(Double.NaN, availability(h).faults().get(0).backSeconds());
    assertEquals(Double.POSITIVE_INFINITY, availability(h).backToAckByFault(15).get(0).p99());
  }

  @Test
  void countsOnlyNonRetriableClientErrorsDuringTheFault() {
    TestHistory h = new TestHistory();
    h.at(1000).send(1, 0, 1, 0);
    h.at(2000).fault("rolling-restart", FaultAction.START);
    failSend(h, 2100, 2, "KeelTimeoutException: not acknowledged within delivery.timeout.ms");
    failSend(h, 2200, 3, "NotLeaderException: node 2 is not the leader");
    failSend(h, 2300, 4, "KeelException: UNKNOWN: node 2 cannot serve this");
    failSend(h, 2400, 5, "GroupException: UNKNOWN_MEMBER_ID");
    failSend(h, 2500, 8, "KeelTimeoutException[StatusRuntimeException]: no answer in time");
    h.at(9000).fault("rolling-restart", FaultAction.HEAL);
    failSend(h, 9500, 6, "KeelException: after the heal, not counted");
    h.at(9600).send(1, 0, 7, 1);
    h.finalRead(rec(0, 0, 1), rec(0, 1, 7));

    assertEquals(2, availability(h).faults().get(0).nonRetriableErrors());
  }

  private static void failSend(TestHistory h, long atMs, long value, String error) {
    Op.Send send = new Op.Send(0, value, null);
    h.at(atMs).recorder().invoke(1, send);
    h.recorder().fail(1, send, error);
  }
}
