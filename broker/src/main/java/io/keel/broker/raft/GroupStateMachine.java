package io.keel.broker.raft;

import io.keel.raft.Entry;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;

/** Application side of one Raft group; every callback runs on the group's event-loop thread. */
public interface GroupStateMachine {

  /** Committed entries in order; NOOP and CONFIG entries too (ignore them if not needed). */
  void apply(Entry entry);

  /** The state machine image as of the last applied index. */
  byte[] takeSnapshot();

  /** Replaces the whole state with a snapshot installed from the leader. */
  void restoreSnapshot(Snapshot snapshot);

  /** Became leader, became follower or lost the leader. */
  void onRoleChange(SoftState state);
}
