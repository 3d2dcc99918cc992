package io.keel.broker.controller;

import io.keel.proto.LeaderTransfer;
import io.keel.proto.LedGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the controller leader knows in memory only: when it last heard from each node, which nodes
 * are shutting down, who leads each partition group (from heartbeats) and the leadership transfers
 * waiting to be handed to the current leaders. Rebuilt from heartbeats after a controller failover;
 * single-threaded (the metadata group's event loop).
 */
final class BrokerSessions {
  private final long sessionTimeoutNanos;
  private final Map<Integer, Long> lastSeenNanos = new HashMap<>();
  private final Set<Integer> shuttingDown = new HashSet<>();
  private final Map<Long, PartitionLeader> leaders = new HashMap<>();
  private final Map<Integer, Map<Long, Integer>> transfers = new HashMap<>();
  private long since;
  private long lastTimerNanos;

  BrokerSessions(long sessionTimeoutNanos) {
    this.sessionTimeoutNanos = sessionTimeoutNanos;
  }

  /** Forgets everything; every node gets a full session from {@code nowNanos} on. */
  void reset(long nowNanos) {
    lastSeenNanos.clear();
    shuttingDown.clear();
    leaders.clear();
    transfers.clear();
    since = nowNanos;
    lastTimerNanos = nowNanos;
  }

  /**
   * Called on every run of the controller's timer. A gap since the previous run longer than {@code
   * maxGapNanos} means this controller was not running (its process paused or starved): the nodes'
   * silence over that time proves nothing, so every session restarts now instead of expiring (a
   * resumed controller once marked every node offline, itself included). Returns true when it did.
   */
  boolean onTimer(long nowNanos, long maxGapNanos) {
    long gap = nowNanos - lastTimerNanos;
    lastTimerNanos = nowNanos;
    if (gap <= maxGapNanos) {
      return false;
    }
    lastSeenNanos.replaceAll((id, t) -> nowNanos);
    since = nowNanos;
    return true;
  }

  void heard(int nodeId, long nowNanos) {
    lastSeenNanos.put(nodeId, nowNanos);
  }

  void reportLeadership(int nodeId, List<LedGroup> led) {
    for (LedGroup g : led) {
      PartitionLeader known = leaders.get(g.getGroupId());
      if (known == null || known.term() <= g.getTerm()) {
        leaders.put(g.getGroupId(), new PartitionLeader(nodeId, g.getTerm()));
      }
    }
  }

  void setShuttingDown(int nodeId, boolean value) {
    if (value) {
      shuttingDown.add(nodeId);
      transfers.remove(nodeId);
    } else {
      shuttingDown.remove(nodeId);
    }
  }

  /** Heard from within the session timeout and not shutting down. */
  boolean alive(int nodeId, long nowNanos) {
    long last = lastSeenNanos.getOrDefault(nodeId, since);
    return nowNanos - last <= sessionTimeoutNanos && !shuttingDown.contains(nodeId);
  }

  /** Heard from since this controller took over, within the session timeout. */
  boolean heardRecently(int nodeId, long nowNanos) {
    Long last = lastSeenNanos.get(nodeId);
    return last != null && nowNanos - last <= sessionTimeoutNanos && !shuttingDown.contains(nodeId);
  }

  boolean expired(int nodeId, long nowNanos) {
    return nowNanos - lastSeenNanos.getOrDefault(nodeId, since) > sessionTimeoutNanos;
  }

  boolean shuttingDown(int nodeId) {
    return shuttingDown.contains(nodeId);
  }

  Map<Long, PartitionLeader> leaders() {
    return leaders;
  }

  Map<Integer, Long> lastSeenMsAgo(long nowNanos) {
    Map<Integer, Long> out = new LinkedHashMap<>();
    lastSeenNanos.forEach((id, t) -> out.put(id, (nowNanos - t) / 1_000_000));
    return out;
  }

  void requestTransfer(int currentLeader, long groupId, int target) {
    transfers.computeIfAbsent(currentLeader, id -> new HashMap<>()).put(groupId, target);
  }

  /** The transfers for {@code nodeId} to carry out, removed from the pending set. */
  List<LeaderTransfer> takeTransfers(int nodeId) {
    Map<Long, Integer> pending = transfers.remove(nodeId);
    List<LeaderTransfer> out = new ArrayList<>();
    if (pending != null) {
      pending.forEach(
          (g, target) ->
              out.add(LeaderTransfer.newBuilder().setGroupId(g).setTargetNodeId(target).build()));
    }
    return out;
  }
}
