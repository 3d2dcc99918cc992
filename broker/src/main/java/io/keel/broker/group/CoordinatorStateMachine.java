package io.keel.broker.group;

import io.keel.broker.raft.GroupStateMachine;
import io.keel.raft.Checks;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftRole;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;

/**
 * The state machine of one {@code __consumer_offsets} partition: applies group records to a {@link
 * GroupsState}; snapshots are that state. Every replica holds the same groups and offsets, so a new
 * leader serves at once once it has applied an entry of its own term (everything committed before
 * is then applied too). Loop-only, like every state machine.
 */
public final class CoordinatorStateMachine implements GroupStateMachine {
  /** Told when this replica starts or stops serving as the coordinator; runs on the loop. */
  public interface ServingListener {
    void onServing(boolean serving);
  }

  private final int partition;
  private final GroupsState state = new GroupsState();
  private ServingListener listener = serving -> {};
  private long appliedIndex;
  private long appliedTerm;
  private boolean leader;
  private long leaderTerm;
  // Invariant: serving implies leader and an entry of leaderTerm has been applied.
  private boolean serving;

  public CoordinatorStateMachine(int partition) {
    this.partition = partition;
  }

  void setListener(ServingListener value) {
    this.listener = value;
  }

  public int partition() {
    return partition;
  }

  /** The replicated groups and offsets (loop only). */
  public GroupsState state() {
    return state;
  }

  /** Leader of its term with all earlier entries applied (loop only). */
  public boolean serving() {
    return serving;
  }

  @Override
  public void apply(Entry entry) {
    Checks.state(
        entry.index() > appliedIndex,
        "__consumer_offsets-%s applied index %s after %s",
        partition,
        entry.index(),
        appliedIndex);
    if (entry.type() == EntryType.NORMAL && GroupRecordCodec.isGroupEntry(entry.data())) {
      GroupRecordCodec.decode(entry.data()).forEach(state::apply);
    }
    appliedIndex = entry.index();
    appliedTerm = entry.term();
    maybeStartServing();
  }

  @Override
  public byte[] takeSnapshot() {
    return GroupRecordCodec.encodeAll(state.toRecords());
  }

  @Override
  public void restoreSnapshot(Snapshot snapshot) {
    state.restore(GroupRecordCodec.decodeAll(snapshot.data()));
    appliedIndex = snapshot.index();
    appliedTerm = snapshot.term();
  }

  @Override
  public void onRoleChange(SoftState soft) {
    boolean nowLeader = soft.role() == RaftRole.LEADER;
    if (nowLeader && !(leader && leaderTerm == soft.term())) {
      stopServing();
      leader = true;
      leaderTerm = soft.term();
      maybeStartServing();
    } else if (!nowLeader && leader) {
      leader = false;
      stopServing();
    }
  }

  private void maybeStartServing() {
    if (leader && !serving && appliedTerm == leaderTerm) {
      serving = true;
      listener.onServing(true);
    }
  }

  private void stopServing() {
    if (serving) {
      serving = false;
      listener.onServing(false);
    }
  }
}
