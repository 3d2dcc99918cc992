package io.keel.broker.share;

import io.keel.broker.group.TopicPartition;
import io.keel.broker.share.ShareRecord.Acknowledged;
import io.keel.broker.share.ShareRecord.Acquired;
import io.keel.broker.share.ShareRecord.DeadLettered;
import io.keel.broker.share.ShareRecord.LocksExpired;
import io.keel.broker.share.ShareRecord.MemberJoined;
import io.keel.broker.share.ShareRecord.MemberLeft;
import io.keel.broker.share.ShareRecord.PartitionImage;
import io.keel.broker.share.ShareRecord.WindowFilled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated share groups of one {@code __consumer_offsets} partition: members and, per
 * partition they consume, a {@link SharePartitionState}. Exactly what the applied records say;
 * deterministic, loop-only.
 */
public final class ShareState {
  /** One share group. */
  public static final class Group {
    private final TreeMap<String, MemberJoined> members = new TreeMap<>();
    private final TreeMap<TopicPartition, SharePartitionState> partitions = new TreeMap<>();

    public SortedMap<String, MemberJoined> members() {
      return java.util.Collections.unmodifiableSortedMap(members);
    }

    public SortedMap<TopicPartition, SharePartitionState> partitions() {
      return java.util.Collections.unmodifiableSortedMap(partitions);
    }

    public Optional<SharePartitionState> partition(String topic, int partition) {
      return Optional.ofNullable(partitions.get(new TopicPartition(topic, partition)));
    }

    /** Records the member holds over all partitions. */
    public int heldBy(String memberId) {
      int n = 0;
      for (SharePartitionState p : partitions.values()) {
        n += p.heldBy(memberId);
      }
      return n;
    }

    private SharePartitionState partitionOrNew(String topic, int partition, long start) {
      return partitions.computeIfAbsent(
          new TopicPartition(topic, partition), k -> new SharePartitionState(start));
    }
  }

  private final TreeMap<String, Group> groups = new TreeMap<>();

  /** Applies one record; an acknowledgement that does not apply is a no-op (returned). */
  public AckError apply(ShareRecord record) {
    switch (record) {
      case MemberJoined j -> group(j.groupId()).members.put(j.memberId(), j);
      case MemberLeft l -> {
        Group g = groups.get(l.groupId());
        if (g != null) {
          g.members.remove(l.memberId());
          g.partitions.values().forEach(p -> p.releaseAll(l.memberId()));
        }
      }
      case WindowFilled f ->
          group(f.groupId())
              .partitionOrNew(f.topic(), f.partition(), f.fromOffset())
              .fill(f.fromOffset(), f.toOffset(), f.delayed(), f.atMs());
      case Acquired a ->
          partition(a.groupId(), a.topic(), a.partition())
              .ifPresent(
                  p ->
                      p.acquire(
                          a.memberId(),
                          a.offsets(),
                          a.atMs(),
                          a.lockDeadlineMs(),
                          a.deliveryLimit()));
      case Acknowledged a -> {
        return partition(a.groupId(), a.topic(), a.partition())
            .map(
                p -> p.acknowledge(a.memberId(), a.offset(), a.type(), a.atMs(), a.newDeadlineMs()))
            .orElse(AckError.UNKNOWN_OFFSET);
      }
      case LocksExpired e ->
          partition(e.groupId(), e.topic(), e.partition()).ifPresent(p -> p.expireLocks(e.atMs()));
      case DeadLettered d ->
          partition(d.groupId(), d.topic(), d.partition())
              .ifPresent(p -> p.deadLettered(d.offset()));
      case PartitionImage i ->
          group(i.groupId())
              .partitions
              .put(new TopicPartition(i.topic(), i.partition()), SharePartitionState.of(i));
    }
    return AckError.NONE;
  }

  private Group group(String groupId) {
    return groups.computeIfAbsent(groupId, g -> new Group());
  }

  public Optional<Group> group(String groupId, boolean create) {
    return Optional.ofNullable(create ? group(groupId) : groups.get(groupId));
  }

  public Optional<SharePartitionState> partition(String groupId, String topic, int partition) {
    Group g = groups.get(groupId);
    return g == null ? Optional.empty() : g.partition(topic, partition);
  }

  public List<String> groupIds() {
    return List.copyOf(groups.keySet());
  }

  /** The whole state as records that rebuild it when applied in order. */
  public List<ShareRecord> toRecords() {
    List<ShareRecord> out = new ArrayList<>();
    groups.forEach(
        (id, g) -> {
          out.addAll(g.members.values());
          g.partitions.forEach((tp, p) -> out.add(p.image(id, tp.topic(), tp.partition())));
        });
    return out;
  }

  public void restore(List<ShareRecord> records) {
    groups.clear();
    records.forEach(this::apply);
  }
}
