package io.keel.broker.group;

import io.keel.broker.group.GroupRecord.GroupTombstone;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Binary form of {@link GroupRecord}s in Raft entries and snapshots. The first byte is the record
 * type; types start at 0x10 so that they never look like a record-batch envelope (0x01).
 */
public final class GroupRecordCodec {
  static final byte OFFSET_COMMIT = 0x10;
  static final byte GROUP_METADATA = 0x11;
  static final byte GROUP_TOMBSTONE = 0x12;
  private static final byte SNAPSHOT_VERSION = 1;

  private GroupRecordCodec() {}

  /** One Raft entry holding {@code records} (applied together, atomically). */
  public static byte[] encode(List<? extends GroupRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (GroupRecord r : records) {
        write(out, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The records of one Raft entry. */
  public static List<GroupRecord> decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      List<GroupRecord> out = new ArrayList<>();
      while (in.available() > 0) {
        out.add(read(in));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("corrupt group entry of " + data.length + " bytes", e);
    }
  }

  /** Whether an entry's data holds group records (and not, say, a record batch). */
  public static boolean isGroupEntry(byte[] data) {
    return data.length > 0 && data[0] >= OFFSET_COMMIT && data[0] <= GROUP_TOMBSTONE;
  }

  /** A snapshot: a version byte, a count, then the records. */
  public static byte[] encodeAll(List<GroupRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(SNAPSHOT_VERSION);
      out.writeInt(records.size());
      for (GroupRecord r : records) {
        write(out, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static List<GroupRecord> decodeAll(byte[] data) {
    if (data.length == 0) {
      return List.of();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte version = in.readByte();
      if (version != SNAPSHOT_VERSION) {
        throw new IllegalStateException("unknown group snapshot version " + version);
      }
      int count = in.readInt();
      List<GroupRecord> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(read(in));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("corrupt group snapshot of " + data.length + " bytes", e);
    }
  }

  private static void write(DataOutputStream out, GroupRecord record) throws IOException {
    switch (record) {
      case OffsetCommit c -> {
        out.writeByte(OFFSET_COMMIT);
        out.writeUTF(c.groupId());
        out.writeUTF(c.topic());
        out.writeInt(c.partition());
        out.writeLong(c.offset());
        out.writeUTF(c.metadata());
        out.writeLong(c.commitTimeMs());
        out.writeInt(c.memberEpoch());
      }
      case GroupMetadata g -> {
        out.writeByte(GROUP_METADATA);
        out.writeUTF(g.groupId());
        out.writeInt(g.groupEpoch());
        out.writeInt(g.assignmentEpoch());
        out.writeUTF(g.assignor());
        out.writeInt(g.members().size());
        for (MemberState m : g.members().values()) {
          writeMember(out, m);
        }
      }
      case GroupTombstone t -> {
        out.writeByte(GROUP_TOMBSTONE);
        out.writeUTF(t.groupId());
      }
    }
  }

  private static void writeMember(DataOutputStream out, MemberState m) throws IOException {
    out.writeUTF(m.memberId());
    out.writeInt(m.memberEpoch());
    out.writeInt(m.previousEpoch());
    out.writeUTF(m.clientId());
    out.writeInt(m.rebalanceTimeoutMs());
    out.writeInt(m.subscriptions().size());
    for (String topic : m.subscriptions()) {
      out.writeUTF(topic);
    }
    writePartitions(out, m.assigned());
    writePartitions(out, m.target());
  }

  private static void writePartitions(DataOutputStream out, Set<TopicPartition> partitions)
      throws IOException {
    out.writeInt(partitions.size());
    for (TopicPartition tp : partitions) {
      out.writeUTF(tp.topic());
      out.writeInt(tp.partition());
    }
  }

  private static GroupRecord read(DataInputStream in) throws IOException {
    byte type = in.readByte();
    return switch (type) {
      case OFFSET_COMMIT ->
          new OffsetCommit(
              in.readUTF(),
              in.readUTF(),
              in.readInt(),
              in.readLong(),
              in.readUTF(),
              in.readLong(),
              in.readInt());
      case GROUP_METADATA -> readGroup(in);
      case GROUP_TOMBSTONE -> new GroupTombstone(in.readUTF());
      default -> throw new IllegalStateException("unknown group record type " + type);
    };
  }

  private static GroupMetadata readGroup(DataInputStream in) throws IOException {
    String groupId = in.readUTF();
    int epoch = in.readInt();
    int assignmentEpoch = in.readInt();
    String assignor = in.readUTF();
    int count = in.readInt();
    TreeMap<String, MemberState> members = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      String id = in.readUTF();
      int memberEpoch = in.readInt();
      int previous = in.readInt();
      String clientId = in.readUTF();
      int rebalanceTimeoutMs = in.readInt();
      int subs = in.readInt();
      List<String> topics = new ArrayList<>(subs);
      for (int s = 0; s < subs; s++) {
        topics.add(in.readUTF());
      }
      Set<TopicPartition> assigned = readPartitions(in);
      Set<TopicPartition> target = readPartitions(in);
      members.put(
          id,
          new MemberState(
              id, memberEpoch, previous, clientId, rebalanceTimeoutMs, topics, assigned, target));
    }
    return new GroupMetadata(groupId, epoch, assignmentEpoch, assignor, members);
  }

  private static Set<TopicPartition> readPartitions(DataInputStream in) throws IOException {
    int n = in.readInt();
    Set<TopicPartition> out = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      out.add(new TopicPartition(in.readUTF(), in.readInt()));
    }
    return out;
  }
}
