package io.keel.chaos.checker;

import static io.keel.chaos.history.TaskAck.Kind.ACCEPT;
import static io.keel.chaos.history.TaskAck.Kind.REJECT;
import static io.keel.chaos.history.TaskAck.Kind.RELEASE;
import static io.keel.chaos.history.TaskAck.Kind.RENEW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.history.DeadLetter;
import io.keel.chaos.history.Delivery;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Phase;
import io.keel.chaos.history.TaskAck;
import io.keel.chaos.history.TestHistory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each task-queue anomaly is planted in an otherwise clean history and found, and only it. */
class TaskQueueChecksTest {
  private static final String TOPIC = "tasks";
  private static final String GROUP = "workers";
  private static final int LIMIT = 3;

  private final Checker checker = new Checker(CheckerConfig.idempotent());

  private static Delivery d(int partition, long offset, long task, int count) {
    return new Delivery(partition, offset, task, count);
  }

  private static TaskAck ack(Delivery d, TaskAck.Kind kind) {
    return new TaskAck(d.partition(), d.offset(), d.task(), d.count(), kind, null);
  }

  private static DeadLetter letter(Delivery d, String reason, int count) {
    return new DeadLetter(0, d.task(), reason, GROUP, TOPIC, d.partition(), d.offset(), count);
  }

  /**
   * Every way a task legitimately ends: accepted at once, after a release, after a refused ACCEPT,
   * by an ACCEPT whose answer was lost, after a RENEW; rejected and dead-lettered; dead-lettered at
   * the limit after releases and expiries; a delayed task delivered once due; an indeterminate
   * enqueue that never shows up.
   */
  private static TestHistory clean() {
    Delivery t1 = d(0, 0, 1, 1);
    Delivery t2a = d(0, 1, 2, 1);
    Delivery t2b = d(0, 1, 2, 2);
    Delivery t3 = d(1, 0, 3, 1);
    Delivery t4a = d(1, 1, 4, 1);
    Delivery t4b = d(1, 1, 4, 2);
    Delivery t4c = d(1, 1, 4, 3);
    Delivery t5 = d(0, 2, 5, 1);
    Delivery t6a = d(0, 3, 6, 1);
    Delivery t6b = d(0, 3, 6, 2);
    Delivery t8 = d(1, 2, 8, 1);
    TestHistory h = new TestHistory().taskQueueSetup(TOPIC, GROUP, LIMIT);
    h.enqueue(1, 0, 1, null, 0)
        .enqueue(1, 0, 2, null, 1)
        .enqueue(2, 1, 3, null, 0)
        .enqueue(2, 1, 4, null, 1)
        .enqueue(1, 0, 5, null, 2)
        .enqueue(1, 0, 6, null, 3)
        .enqueueOutcome(2, 1, 7, Phase.INFO);
    long due = TestHistory.wallMs(h.nowMs() + 20);
    h.enqueue(2, 1, 8, due, 2)
        .acquire(10, t1, t2a, t3, t4a)
        .acknowledge(10, Phase.OK, ack(t1, ACCEPT), ack(t2a, RELEASE), ack(t3, REJECT))
        .acquire(11, t2b, t4b, t5, t6a)
        .acknowledge(11, Phase.OK, ack(t2b, ACCEPT), ack(t4b, RELEASE))
        .acknowledge(11, Phase.INFO, ack(t5, ACCEPT))
        .acknowledge(11, Phase.OK, ack(t6a, ACCEPT).refusedWith("SHARE_LOCK_EXPIRED"))
        .acquire(10, t4c, t6b)
        .acknowledge(10, Phase.OK, ack(t6b, ACCEPT))
        .at(h.nowMs() + 30)
        .acquire(12, t8)
        .acknowledge(12, Phase.OK, ack(t8, RENEW))
        .acknowledge(12, Phase.OK, ack(t8, ACCEPT))
        .deadLetters(20, false, letter(t3, "rejected", 1))
        .deadLetters(20, true, letter(t3, "rejected", 1), letter(t4c, "delivery limit", LIMIT));
    return h;
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
  void cleanHistoryIsValid() {
    CheckResult result = check(clean());
    assertOnly(result);
    assertEquals(7L, result.opCounts().get("enqueue.ok"));
    assertEquals(1L, result.opCounts().get("acknowledge.info"));
  }

  @Test
  void acknowledgedTaskNeverDeliveredIsLost() {
    CheckResult result = check(clean().enqueue(1, 0, 9, null, 4));
    assertOnly(result, AnomalyType.TASK_LOST);
    assertTrue(result.anomalies().get(AnomalyType.TASK_LOST).examples().get(0).contains("9"));
  }

  @Test
  void rejectedTaskMissingFromTheDeadLetterTopicIsLost() {
    Delivery t = d(0, 4, 9, 1);
    CheckResult result =
        check(
            clean()
                .enqueue(1, 0, 9, null, 4)
                .acquire(10, t)
                .acknowledge(10, Phase.OK, ack(t, REJECT)));
    assertOnly(result, AnomalyType.TASK_LOST);
    assertTrue(
        result.anomalies().get(AnomalyType.TASK_LOST).examples().get(0).contains("REJECT"),
        result.anomalies().toString());
  }

  /** An ACCEPT whose answer was lost settles a task only if the task did not come back. */
  @Test
  void lostAcceptAnswerFollowedByRedeliveryAndNothingElseIsLost() {
    Delivery first = d(0, 4, 9, 1);
    Delivery second = d(0, 4, 9, 2);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, first)
            .acknowledge(10, Phase.INFO, ack(first, ACCEPT))
            .acquire(11, second);
    assertOnly(check(h), AnomalyType.TASK_LOST);
  }

  @Test
  void twoAcknowledgedAcceptsAreCaught() {
    Delivery first = d(0, 4, 9, 1);
    Delivery second = d(0, 4, 9, 2);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, first)
            .acknowledge(10, Phase.OK, ack(first, ACCEPT))
            .acquire(11, second)
            .acknowledge(11, Phase.OK, ack(second, ACCEPT));
    // The second delivery began after the first ACCEPT was acknowledged: a redelivery too.
    assertOnly(check(h), AnomalyType.TASK_ACCEPTED_TWICE, AnomalyType.REDELIVERED_AFTER_ACCEPT);
  }

  @Test
  void deliveryAfterAnAcknowledgedAcceptIsCaught() {
    Delivery first = d(0, 4, 9, 1);
    Delivery second = d(0, 4, 9, 2);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, first)
            .acknowledge(10, Phase.OK, ack(first, ACCEPT))
            .acquire(11, second);
    assertOnly(check(h), AnomalyType.REDELIVERED_AFTER_ACCEPT);
  }

  /** Real-time order only: a poll begun before the ACCEPT was acknowledged is not flagged. */
  @Test
  void deliveryConcurrentWithTheAcceptIsNotARedelivery() {
    Delivery first = d(0, 4, 9, 1);
    TestHistory h = clean().enqueue(1, 0, 9, null, 4).acquire(10, first);
    h.recorder().invoke(11, new Op.Acquire(List.of()));
    h.acknowledge(10, Phase.OK, ack(first, ACCEPT));
    h.recorder().ok(11, new Op.Acquire(List.of(d(0, 4, 9, 2))));
    assertOnly(check(h));
  }

  @Test
  void deliveryAfterARejectOrADeadLetterIsCaught() {
    Delivery rejected = d(0, 4, 9, 1);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, rejected)
            .acknowledge(10, Phase.OK, ack(rejected, REJECT))
            .deadLetters(20, false, letter(rejected, "rejected", 1))
            .acquire(11, d(0, 4, 9, 2));
    CheckResult result = check(h);
    // The dead letter's count (1) is also below the count the redelivery showed (2).
    assertOnly(result, AnomalyType.REDELIVERED_AFTER_DEAD_LETTER, AnomalyType.DLQ_COUNT_WRONG);
    assertEquals(2, result.count(AnomalyType.REDELIVERED_AFTER_DEAD_LETTER));
  }

  @Test
  void deliveryBeforeTheDeliverAtTimeIsCaught() {
    TestHistory h = clean();
    long due = TestHistory.wallMs(h.nowMs() + 5_000);
    Delivery t = d(0, 4, 9, 1);
    h.enqueue(1, 0, 9, due, 4).acquire(10, t).acknowledge(10, Phase.OK, ack(t, ACCEPT));
    assertOnly(check(h), AnomalyType.EARLY_DELIVERY);
  }

  @Test
  void deliveryWithinTheClockSlackIsNotEarly() {
    TestHistory h = clean();
    long due = TestHistory.wallMs(h.nowMs() + TaskQueueChecks.CLOCK_SLACK_MS);
    Delivery t = d(0, 4, 9, 1);
    h.enqueue(1, 0, 9, due, 4).acquire(10, t).acknowledge(10, Phase.OK, ack(t, ACCEPT));
    assertOnly(check(h));
  }

  @Test
  void deliveryCountThatGoesBackIsCaught() {
    Delivery second = d(0, 4, 9, 2);
    Delivery again = d(0, 4, 9, 2);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, second)
            .acknowledge(10, Phase.OK, ack(second, RELEASE))
            .acquire(11, again)
            .acknowledge(11, Phase.OK, ack(again, ACCEPT));
    assertOnly(check(h), AnomalyType.DELIVERY_COUNT_DECREASED);
  }

  @Test
  void deliveryCountAboveTheLimitIsCaught() {
    Delivery t = d(0, 4, 9, LIMIT + 1);
    TestHistory h =
        clean().enqueue(1, 0, 9, null, 4).acquire(10, t).acknowledge(10, Phase.OK, ack(t, ACCEPT));
    assertOnly(check(h), AnomalyType.DELIVERED_PAST_LIMIT);
  }

  @Test
  void deadLetterWithTheWrongCountIsCaught() {
    Delivery t = d(0, 4, 9, 1);
    Delivery r = d(0, 5, 10, 2);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .enqueue(1, 0, 10, null, 5)
            .acquire(10, t, r)
            .acknowledge(10, Phase.OK, ack(t, RELEASE), ack(r, REJECT))
            .deadLetters(
                20, true, letter(t, "delivery limit", LIMIT - 1), letter(r, "rejected", 1));
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.DLQ_COUNT_WRONG);
    // limit 3 expected, not 2; rejected at delivery 2, not 1; and 1 is below the delivered 2.
    assertEquals(3, result.count(AnomalyType.DLQ_COUNT_WRONG));
  }

  @Test
  void deadLetterWithWrongHeadersIsCaught() {
    Delivery t = d(0, 4, 9, 1);
    DeadLetter otherGroup = new DeadLetter(5, 9, "delivery limit", "other", TOPIC, 0, 4, LIMIT);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, t)
            .acknowledge(10, Phase.OK, ack(t, RELEASE))
            .deadLetters(20, true, otherGroup, letter(t, "rejected", 1), letter(t, "bored", LIMIT));
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.DLQ_HEADERS_WRONG);
    assertEquals(3, result.count(AnomalyType.DLQ_HEADERS_WRONG));
  }

  @Test
  void acceptedTaskInTheDeadLetterTopicIsCaught() {
    Delivery t = d(0, 4, 9, 1);
    TestHistory h =
        clean()
            .enqueue(1, 0, 9, null, 4)
            .acquire(10, t)
            .acknowledge(
                10, Phase.OK, ack(t, ACCEPT), ack(t, REJECT).refusedWith("SHARE_UNKNOWN_OFFSET"))
            .deadLetters(20, true, letter(t, "rejected", 1));
    assertOnly(check(h), AnomalyType.TASK_ACCEPTED_AND_DEAD_LETTERED);
  }

  @Test
  void deliveredTaskThatWasNeverEnqueuedIsAPhantom() {
    Delivery t = d(0, 4, 9, 1);
    Delivery failed = d(0, 5, 10, 1);
    TestHistory h =
        clean()
            .enqueueOutcome(1, 0, 10, Phase.FAIL)
            .acquire(10, t, failed)
            .acknowledge(10, Phase.OK, ack(t, ACCEPT), ack(failed, ACCEPT));
    CheckResult result = check(h);
    assertOnly(result, AnomalyType.PHANTOM_TASK);
    assertEquals(2, result.count(AnomalyType.PHANTOM_TASK));
  }

  @Test
  void taskAtTwoOffsetsIsADuplicateAndAnOffsetWithTwoTasksIsInconsistent() {
    Delivery dup = d(0, 5, 1, 1);
    Delivery other = d(0, 0, 77, 2);
    TestHistory h =
        clean().acquire(10, dup).acknowledge(10, Phase.OK, ack(dup, ACCEPT)).acquire(11, other);
    CheckResult result = check(h);
    assertTrue(result.count(AnomalyType.DUPLICATE) > 0, result.anomalies().toString());
    assertTrue(result.count(AnomalyType.INCONSISTENT_OFFSET) > 0, result.anomalies().toString());
  }
}
