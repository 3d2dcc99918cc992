package io.keel.broker.group;

import io.keel.broker.group.GroupRecord.GroupTombstone;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated state of one {@code __consumer_offsets} partition: each group's metadata and
 * committed offsets, exactly what the applied records say. Deterministic: no clock, no randomness.
 * Not thread-safe (lives on the partition's event loop).
 */
public final class GroupsState {
  /** One group's replicated state; metadata is null for a group that only has offsets. */
  private static final class Entry {
    GroupMetadata metadata;
    final SortedMap<TopicPartition, OffsetCommit> offsets = new TreeMap<>();
  }

  private final SortedMap<String, Entry> groups = new TreeMap<>();

  public void apply(GroupRecord record) {
    switch (record) {
      case OffsetCommit c -> entry(c.groupId()).offsets.put(c.topicPartition(), c);
      case GroupMetadata g -> entry(g.groupId()).metadata = g;
      case GroupTombstone t -> groups.remove(t.groupId());
    }
  }

  private Entry entry(String groupId) {
    return groups.computeIfAbsent(groupId, g -> new Entry());
  }

  /** The group's metadata, if it ever had members. */
  public Optional<GroupMetadata> metadata(String groupId) {
    Entry e = groups.get(groupId);
    return e == null ? Optional.empty() : Optional.ofNullable(e.metadata);
  }

  public boolean exists(String groupId) {
    return groups.containsKey(groupId);
  }

  /** Committed offsets of a group, sorted by partition; empty if none. */
  public SortedMap<TopicPartition, OffsetCommit> offsets(String groupId) {
    Entry e = groups.get(groupId);
    return e == null ? new TreeMap<>() : new TreeMap<>(e.offsets);
  }

  public List<String> groupIds() {
    return List.copyOf(groups.keySet());
  }

  /** The whole state as records that rebuild it when applied in order. */
  public List<GroupRecord> toRecords() {
    List<GroupRecord> out = new ArrayList<>();
    for (Map.Entry<String, Entry> e : groups.entrySet()) {
      if (e.getValue().metadata != null) {
        out.add(e.getValue().metadata);
      }
      out.addAll(e.getValue().offsets.values());
    }
    return out;
  }

  /** Replaces the state with the records of a snapshot. */
  public void restore(List<GroupRecord> records) {
    groups.clear();
    records.forEach(this::apply);
  }
}
