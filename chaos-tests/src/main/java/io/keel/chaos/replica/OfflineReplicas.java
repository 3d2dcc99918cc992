package io.keel.chaos.replica;

import io.keel.broker.controller.MetadataCodec;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.TopicInfo;
import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.history.Rec;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.logstore.PartitionLog;
import io.keel.logstore.StoredBatch;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.RaftStorage;
import io.keel.raft.Snapshot;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads every replica's committed log of one topic straight from the stopped nodes' stores: the
 * broker has no per-replica read API, and reading offline sees exactly what each node made durable.
 * The topic's partition groups come from each node's own committed metadata log.
 */
public final class OfflineReplicas {
  private static final long METADATA_GROUP = 0;
  private static final int READ_BYTES = 4 << 20;

  private OfflineReplicas() {}

  /**
   * Reads every node's replicas. A store that cannot be read (a node that refused a damaged disk
   * and never came back, say) is left out and named in {@code unreadable}, so the other replicas
   * are still compared.
   *
   * @param dataDirs node id -> broker data.dir (the store is its {@code store} subdirectory)
   * @param topic whose values are 8-byte longs, as the queue workload writes them
   * @param unreadable told "node N: error" for each store that could not be read
   */
  public static ReplicaLogs read(
      Map<Integer, Path> dataDirs, String topic, Consumer<String> unreadable) {
    Map<Integer, Map<Integer, List<Rec>>> byPartition = new TreeMap<>();
    dataDirs.forEach(
        (node, dir) -> {
          Path storeDir = dir.resolve("store");
          if (!Files.isDirectory(storeDir)) {
            return;
          }
          Map<Integer, Map<Integer, List<Rec>>> mine = new TreeMap<>();
          try (LogStore store = LogStore.open(LogStoreConfig.defaults(storeDir))) {
            metadata(store).topic(topic).ifPresent(t -> readNode(store, node, t, mine));
          } catch (RuntimeException e) {
            unreadable.accept("node " + node + ": " + e);
            return;
          }
          mine.forEach(
              (p, byNode) -> byPartition.computeIfAbsent(p, k -> new TreeMap<>()).putAll(byNode));
        });
    return new ReplicaLogs(byPartition);
  }

  private static void readNode(
      LogStore store, int node, TopicInfo topic, Map<Integer, Map<Integer, List<Rec>>> out) {
    for (int p = 0; p < topic.partitions(); p++) {
      if (topic.replicas(p).contains(node)) {
        long group = topic.groupId(p);
        long commit = store.group(group).hardState().commit();
        List<Rec> recs = committed(store.partitionLog(group), p, commit);
        out.computeIfAbsent(p, k -> new TreeMap<>()).put(node, recs);
      }
    }
  }

  private static List<Rec> committed(PartitionLog log, int partition, long commitIndex) {
    List<Rec> out = new ArrayList<>();
    long offset = log.logStartOffset();
    while (offset < log.nextOffset()) {
      List<StoredBatch> batches = log.read(offset, commitIndex, READ_BYTES);
      if (batches.isEmpty()) {
        break;
      }
      for (StoredBatch b : batches) {
        List<Record> records = RecordBatch.decode(b.batchBytes()).records();
        for (int i = 0; i < records.size(); i++) {
          out.add(new Rec(partition, b.baseOffset() + i, value(records.get(i))));
        }
        offset = b.nextOffset();
      }
    }
    return out;
  }

  private static long value(Record r) {
    byte[] v = r.value();
    return v != null && v.length == Long.BYTES ? ByteBuffer.wrap(v).getLong() : Long.MIN_VALUE;
  }

  /** The node's metadata image at its own commit index: snapshot plus committed entries. */
  static MetadataImage metadata(LogStore store) {
    RaftStorage log = store.group(METADATA_GROUP);
    Snapshot snap = log.snapshot();
    MetadataImage image =
        snap.data().length == 0 ? MetadataImage.EMPTY : MetadataCodec.decodeImage(snap.data());
    long commit = Math.min(log.hardState().commit(), log.lastIndex());
    for (long i = Math.max(snap.index() + 1, log.firstIndex()); i <= commit; ) {
      List<Entry> entries = log.entries(i, commit + 1, READ_BYTES);
      for (Entry e : entries) {
        if (e.type() == EntryType.NORMAL && e.data().length > 0) { // empty: a replica fence
          image = image.apply(MetadataCodec.decode(e.data()), e.index());
        }
        i = e.index() + 1;
      }
    }
    return image;
  }
}
