package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BrokerSessionsTest {
  private static final long SESSION = TimeUnit.SECONDS.toNanos(6);
  private static final long MAX_GAP = SESSION / 2;
  private static final long TIMER = TimeUnit.MILLISECONDS.toNanos(500);

  @Test
  void aSilentNodeExpiresWhileTheControllerRuns() {
    BrokerSessions sessions = new BrokerSessions(SESSION);
    sessions.reset(0);
    sessions.heard(1, 0);
    long now = 0;
    while (now <= SESSION) {
      now += TIMER;
      assertFalse(sessions.onTimer(now, MAX_GAP));
    }
    assertTrue(sessions.expired(1, now));
  }

  @Test
  void aControllerResumedFromAPauseDoesNotExpireTheNodesItCouldNotHear() {
    BrokerSessions sessions = new BrokerSessions(SESSION);
    sessions.reset(0);
    sessions.heard(1, 0);
    sessions.heard(2, TIMER);
    assertFalse(sessions.onTimer(TIMER, MAX_GAP));

    long resumed = TIMER + TimeUnit.SECONDS.toNanos(10); // SIGSTOP for 10 s
    assertTrue(sessions.onTimer(resumed, MAX_GAP));
    assertFalse(sessions.expired(1, resumed));
    assertFalse(sessions.expired(2, resumed));
    assertFalse(sessions.expired(3, resumed), "a node not heard of since the reset");
    assertTrue(sessions.expired(1, resumed + SESSION + 1), "silence after the resume still counts");
  }
}
