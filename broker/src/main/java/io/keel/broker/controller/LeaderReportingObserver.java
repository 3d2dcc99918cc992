package io.keel.broker.controller;

import io.keel.broker.raft.RaftObserver;

/**
 * Passes Raft events on and, when this node becomes leader of a group, asks for a heartbeat at
 * once: the controller (and through its answers every node) then learns the new leader within a
 * round trip instead of at the next heartbeat interval or a session expiry.
 */
public final class LeaderReportingObserver implements RaftObserver {
  private final RaftObserver next;
  private final Runnable reportNow;

  /**
   * @param reportNow must not block: it runs on an event loop (e.g. releases a permit)
   */
  public LeaderReportingObserver(RaftObserver next, Runnable reportNow) {
    this.next = next;
    this.reportNow = reportNow;
  }

  @Override
  public void becameLeader(long groupId) {
    next.becameLeader(groupId);
    reportNow.run();
  }

  @Override
  public void committed(long nanos) {
    next.committed(nanos);
  }

  @Override
  public void synced(long nanos) {
    next.synced(nanos);
  }

  @Override
  public void quarantined(long groupId, Throwable cause) {
    next.quarantined(groupId, cause);
  }

  @Override
  public void rejoined(long groupId, long fenceTerm) {
    next.rejoined(groupId, fenceTerm);
  }
}
