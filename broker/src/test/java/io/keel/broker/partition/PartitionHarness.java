package io.keel.broker.partition;

import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.RecordBatchBuilder;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftRole;
import io.keel.raft.RaftStorage;
import io.keel.raft.SoftState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One partition replica over a real RocksDB {@link LogStore}, with a {@link FakeRaftGroup} whose
 * proposals the test commits explicitly. The test thread plays the event loop.
 */
final class PartitionHarness implements AutoCloseable {
  static final long GROUP = 42;
  static final PartitionId ID = new PartitionId("orders", 0, GROUP);

  final LogStore store;
  final RaftStorage storage;
  final FakeRaftGroup group;
  final PartitionStateMachine sm;
  private int applied;

  PartitionHarness(Path dir) {
    this(LogStoreConfig.defaults(dir));
  }

  PartitionHarness(LogStoreConfig config) {
    store = LogStore.open(config);
    storage = store.group(GROUP);
    group = new FakeRaftGroup(GROUP, storage.lastIndex(), this::stage);
    sm = new PartitionStateMachine(ID, store.partitionLog(GROUP), 1000);
    sm.attach(group);
  }

  private void stage(FakeRaftGroup.Proposed p) {
    storage.append(List.of(new Entry(p.term(), p.index(), EntryType.NORMAL, p.data())));
    store.sync();
    p.proposal().appended().complete(null);
  }

  /** Elects this replica in {@code term} and commits its NOOP, so it is ready to serve. */
  void becomeLeader(long term) {
    becomeLeaderWithoutNoop(term);
    commitNoop(term);
  }

  void becomeLeaderWithoutNoop(long term) {
    commitAll();
    applied = group.proposed().size();
    group.setRole(true, 1, term);
    sm.onRoleChange(new SoftState(RaftRole.LEADER, 1, term));
  }

  void commitNoop(long term) {
    Entry noop = new Entry(term, group.nextIndex(), EntryType.NOOP, new byte[0]);
    storage.append(List.of(noop));
    store.sync();
    sm.apply(noop);
  }

  void becomeFollower(int leaderId, long term) {
    group.setRole(false, leaderId, term);
    sm.onRoleChange(new SoftState(RaftRole.FOLLOWER, leaderId, term));
  }

  /** Commits and applies every proposal not applied yet, in order. */
  void commitAll() {
    List<FakeRaftGroup.Proposed> all = group.proposed();
    for (; applied < all.size(); applied++) {
      FakeRaftGroup.Proposed p = all.get(applied);
      sm.apply(new Entry(p.term(), p.index(), EntryType.NORMAL, p.data()));
      p.proposal().committed().complete(null);
    }
  }

  static byte[] batch(long producerId, int epoch, int baseSeq, int records) {
    RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
    if (producerId >= 0) {
      b.producer(producerId, (short) epoch, baseSeq);
    }
    for (int i = 0; i < records; i++) {
      b.append(1_000 + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    return b.build();
  }

  static ValidatedBatch validated(long producerId, int epoch, int baseSeq, int records) {
    return RecordBatches.validate(batch(producerId, epoch, baseSeq, records), 1 << 20);
  }

  @Override
  public void close() {
    store.close();
  }
}
