package io.keel.broker.share;

import io.keel.broker.share.ShareRecord.Acknowledged;
import io.keel.broker.share.ShareRecord.Acquired;
import io.keel.broker.share.ShareRecord.DeadLettered;
import io.keel.broker.share.ShareRecord.Delay;
import io.keel.broker.share.ShareRecord.LocksExpired;
import io.keel.broker.share.ShareRecord.MemberJoined;
import io.keel.broker.share.ShareRecord.MemberLeft;
import io.keel.broker.share.ShareRecord.PartitionImage;
import io.keel.broker.share.ShareRecord.WindowFilled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of {@link ShareRecord}s in Raft entries and snapshots. Type bytes start at 0x20, past
 * the consumer-group records (0x10..0x12) and the record-batch envelope (0x01), so one {@code
 * __consumer_offsets} log carries all three without ambiguity.
 */
public final class ShareRecordCodec {
  static final byte MEMBER_JOINED = 0x20;
  static final byte MEMBER_LEFT = 0x21;
  static final byte WINDOW_FILLED = 0x22;
  static final byte ACQUIRED = 0x23;
  static final byte ACKNOWLEDGED = 0x24;
  static final byte LOCKS_EXPIRED = 0x25;
  static final byte DEAD_LETTERED = 0x26;
  static final byte PARTITION_IMAGE = 0x27;
  private static final byte SNAPSHOT_VERSION = 1;

  private ShareRecordCodec() {}

  public static boolean isShareEntry(byte[] data) {
    return data.length > 0 && data[0] >= MEMBER_JOINED && data[0] <= PARTITION_IMAGE;
  }

  /** One Raft entry holding {@code records}, applied together. */
  public static byte[] encode(List<? extends ShareRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (ShareRecord r : records) {
        write(out, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static List<ShareRecord> decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      List<ShareRecord> out = new ArrayList<>();
      while (in.available() > 0) {
        out.add(read(in));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("corrupt share entry of " + data.length + " bytes", e);
    }
  }

  public static byte[] encodeAll(List<ShareRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(SNAPSHOT_VERSION);
      out.writeInt(records.size());
      for (ShareRecord r : records) {
        write(out, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static List<ShareRecord> decodeAll(byte[] data) {
    if (data.length == 0) {
      return List.of();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte version = in.readByte();
      if (version != SNAPSHOT_VERSION) {
        throw new IllegalStateException("unknown share snapshot version " + version);
      }
      int count = in.readInt();
      List<ShareRecord> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(read(in));
      }
      if (in.available() > 0) {
        throw new IllegalStateException(in.available() + " bytes after the last record");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("corrupt share snapshot of " + data.length + " bytes", e);
    }
  }

  private static void write(DataOutputStream out, ShareRecord record) throws IOException {
    switch (record) {
      case MemberJoined j -> {
        out.writeByte(MEMBER_JOINED);
        out.writeUTF(j.groupId());
        out.writeUTF(j.memberId());
        out.writeUTF(j.clientId());
        out.writeInt(j.topics().size());
        for (String t : j.topics()) {
          out.writeUTF(t);
        }
      }
      case MemberLeft l -> {
        out.writeByte(MEMBER_LEFT);
        out.writeUTF(l.groupId());
        out.writeUTF(l.memberId());
      }
      case WindowFilled f -> {
        out.writeByte(WINDOW_FILLED);
        partitionKey(out, f.groupId(), f.topic(), f.partition());
        out.writeLong(f.fromOffset());
        out.writeLong(f.toOffset());
        out.writeInt(f.delayed().size());
        for (Delay d : f.delayed()) {
          out.writeLong(d.offset());
          out.writeLong(d.deliverAtMs());
        }
        out.writeLong(f.atMs());
      }
      case Acquired a -> {
        out.writeByte(ACQUIRED);
        partitionKey(out, a.groupId(), a.topic(), a.partition());
        out.writeUTF(a.memberId());
        out.writeInt(a.offsets().size());
        for (long o : a.offsets()) {
          out.writeLong(o);
        }
        out.writeLong(a.atMs());
        out.writeLong(a.lockDeadlineMs());
        out.writeInt(a.deliveryLimit());
      }
      case Acknowledged a -> {
        out.writeByte(ACKNOWLEDGED);
        partitionKey(out, a.groupId(), a.topic(), a.partition());
        out.writeUTF(a.memberId());
        out.writeLong(a.offset());
        out.writeByte(a.type().ordinal());
        out.writeLong(a.atMs());
        out.writeLong(a.newDeadlineMs());
      }
      case LocksExpired e -> {
        out.writeByte(LOCKS_EXPIRED);
        partitionKey(out, e.groupId(), e.topic(), e.partition());
        out.writeLong(e.atMs());
      }
      case DeadLettered d -> {
        out.writeByte(DEAD_LETTERED);
        partitionKey(out, d.groupId(), d.topic(), d.partition());
        out.writeLong(d.offset());
      }
      case PartitionImage i -> {
        out.writeByte(PARTITION_IMAGE);
        partitionKey(out, i.groupId(), i.topic(), i.partition());
        out.writeLong(i.startOffset());
        out.writeLong(i.endOffset());
        out.writeLong(i.counters().accepted());
        out.writeLong(i.counters().deadLettered());
        out.writeLong(i.counters().lockExpiries());
        out.writeLong(i.counters().redeliveries());
        out.writeInt(i.records().size());
        for (InFlightRecord r : i.records()) {
          out.writeLong(r.offset());
          out.writeByte(r.state().ordinal());
          out.writeInt(r.deliveryCount());
          out.writeUTF(r.memberId());
          out.writeLong(r.lockDeadlineMs());
          out.writeLong(r.dueMs());
          out.writeInt(r.deliveryLimit());
          out.writeUTF(r.reason());
        }
      }
    }
  }

  private static void partitionKey(DataOutputStream out, String group, String topic, int partition)
      throws IOException {
    out.writeUTF(group);
    out.writeUTF(topic);
    out.writeInt(partition);
  }

  private static ShareRecord read(DataInputStream in) throws IOException {
    byte type = in.readByte();
    return switch (type) {
      case MEMBER_JOINED -> {
        String group = in.readUTF();
        String member = in.readUTF();
        String client = in.readUTF();
        int n = in.readInt();
        List<String> topics = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          topics.add(in.readUTF());
        }
        yield new MemberJoined(group, member, client, topics);
      }
      case MEMBER_LEFT -> new MemberLeft(in.readUTF(), in.readUTF());
      case WINDOW_FILLED -> {
        String group = in.readUTF();
        String topic = in.readUTF();
        int partition = in.readInt();
        long from = in.readLong();
        long to = in.readLong();
        int n = in.readInt();
        List<Delay> delayed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          delayed.add(new Delay(in.readLong(), in.readLong()));
        }
        yield new WindowFilled(group, topic, partition, from, to, delayed, in.readLong());
      }
      case ACQUIRED -> {
        String group = in.readUTF();
        String topic = in.readUTF();
        int partition = in.readInt();
        String member = in.readUTF();
        int n = in.readInt();
        List<Long> offsets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          offsets.add(in.readLong());
        }
        yield new Acquired(
            group, topic, partition, member, offsets, in.readLong(), in.readLong(), in.readInt());
      }
      case ACKNOWLEDGED ->
          new Acknowledged(
              in.readUTF(),
              in.readUTF(),
              in.readInt(),
              in.readUTF(),
              in.readLong(),
              AckType.values()[in.readByte()],
              in.readLong(),
              in.readLong());
      case LOCKS_EXPIRED ->
          new LocksExpired(in.readUTF(), in.readUTF(), in.readInt(), in.readLong());
      case DEAD_LETTERED ->
          new DeadLettered(in.readUTF(), in.readUTF(), in.readInt(), in.readLong());
      case PARTITION_IMAGE -> {
        String group = in.readUTF();
        String topic = in.readUTF();
        int partition = in.readInt();
        long start = in.readLong();
        long end = in.readLong();
        SharePartitionState.Counters counters =
            new SharePartitionState.Counters(
                in.readLong(), in.readLong(), in.readLong(), in.readLong());
        int n = in.readInt();
        List<InFlightRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          records.add(
              new InFlightRecord(
                  in.readLong(),
                  RecordState.values()[in.readByte()],
                  in.readInt(),
                  in.readUTF(),
                  in.readLong(),
                  in.readLong(),
                  in.readInt(),
                  in.readUTF()));
        }
        yield new PartitionImage(group, topic, partition, start, end, counters, records);
      }
      default -> throw new IllegalStateException("unknown share record type " + type);
    };
  }
}
