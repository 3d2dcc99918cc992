package io.keel.broker.group;

import io.keel.broker.raft.GroupStateMachine;
import io.keel.broker.share.ShareRecordCodec;
import io.keel.broker.share.ShareState;
import io.keel.raft.Checks;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftRole;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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

  // A snapshot holding share state: this byte, the length of the group part, then both parts.
  private static final byte SNAPSHOT_WITH_SHARES = 2;

  private final int partition;
  private final GroupsState state = new GroupsState();
  private final ShareState shares = new ShareState();
  private final List<ServingListener> listeners = new CopyOnWriteArrayList<>();
  private long appliedIndex;
  private long appliedTerm;
  private boolean leader;
  private long leaderTerm;
  // Invariant: serving implies leader and an entry of leaderTerm has been applied.
  private boolean serving;

  public CoordinatorStateMachine(int partition) {
    this.partition = partition;
  }

  /** Adds a listener (the group coordinator, the share coordinator); call before it starts. */
  public void addListener(ServingListener value) {
    listeners.add(value);
  }

  public int partition() {
    return partition;
  }

  /** The replicated groups and offsets (loop only). */
  public GroupsState state() {
    return state;
  }

  /** The replicated share groups (loop only). */
  public ShareState shares() {
    return shares;
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
    } else if (entry.type() == EntryType.NORMAL && ShareRecordCodec.isShareEntry(entry.data())) {
      ShareRecordCodec.decode(entry.data()).forEach(shares::apply);
    }
    appliedIndex = entry.index();
    appliedTerm = entry.term();
    maybeStartServing();
  }

  @Override
  public byte[] takeSnapshot() {
    byte[] groups = GroupRecordCodec.encodeAll(state.toRecords());
    if (shares.groupIds().isEmpty()) {
      return groups; // the format before share groups
    }
    byte[] shareBytes = ShareRecordCodec.encodeAll(shares.toRecords());
    return ByteBuffer.allocate(5 + groups.length + shareBytes.length)
        .put(SNAPSHOT_WITH_SHARES)
        .putInt(groups.length)
        .put(groups)
        .put(shareBytes)
        .array();
  }

  @Override
  public void restoreSnapshot(Snapshot snapshot) {
    byte[] data = snapshot.data();
    if (data.length > 0 && data[0] == SNAPSHOT_WITH_SHARES) {
      ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
      byte[] groups = new byte[in.getInt()];
      in.get(groups);
      byte[] shareBytes = new byte[in.remaining()];
      in.get(shareBytes);
      state.restore(GroupRecordCodec.decodeAll(groups));
      shares.restore(ShareRecordCodec.decodeAll(shareBytes));
    } else {
      state.restore(GroupRecordCodec.decodeAll(data));
      shares.restore(List.of());
    }
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
      listeners.forEach(l -> l.onServing(true));
    }
  }

  private void stopServing() {
    if (serving) {
      serving = false;
      listeners.forEach(l -> l.onServing(false));
    }
  }
}
