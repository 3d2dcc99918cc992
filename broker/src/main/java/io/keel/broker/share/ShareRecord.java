package io.keel.broker.share;

import java.util.List;

/**
 * A record of share-group state in a {@code __consumer_offsets} partition's Raft log. Every replica
 * applies the same records in the same order to its {@link ShareState}. Times are absolute
 * (coordinator clock, ms since the epoch) and chosen by the leader when it proposes, so applying is
 * deterministic: no replica reads a clock.
 */
public sealed interface ShareRecord {

  String groupId();

  /** A member joined (or changed its subscription). */
  record MemberJoined(String groupId, String memberId, String clientId, List<String> topics)
      implements ShareRecord {
    public MemberJoined {
      topics = List.copyOf(topics);
    }
  }

  /** A member left or its session expired: every record it holds is released. */
  record MemberLeft(String groupId, String memberId) implements ShareRecord {}

  /**
   * Offsets {@code [fromOffset, toOffset)} of the partition enter the window: AVAILABLE, or DELAYED
   * until their deliver-at time. {@code fromOffset} is the window's end.
   */
  record WindowFilled(
      String groupId,
      String topic,
      int partition,
      long fromOffset,
      long toOffset,
      List<Delay> delayed,
      long atMs)
      implements ShareRecord {
    public WindowFilled {
      delayed = List.copyOf(delayed);
    }
  }

  /** A record of the window that may be acquired only from {@code deliverAtMs} on. */
  record Delay(long offset, long deliverAtMs) {}

  /**
   * The member acquires the offsets (each AVAILABLE, or DELAYED and due at {@code atMs}) until
   * {@code lockDeadlineMs}. {@code deliveryLimit} is the group's limit when acquired: a record
   * released with that many deliveries is dead-lettered instead.
   */
  record Acquired(
      String groupId,
      String topic,
      int partition,
      String memberId,
      List<Long> offsets,
      long atMs,
      long lockDeadlineMs,
      int deliveryLimit)
      implements ShareRecord {
    public Acquired {
      offsets = List.copyOf(offsets);
    }
  }

  /** One acknowledgement of a record the member holds; {@code newDeadlineMs} is for RENEW. */
  record Acknowledged(
      String groupId,
      String topic,
      int partition,
      String memberId,
      long offset,
      AckType type,
      long atMs,
      long newDeadlineMs)
      implements ShareRecord {}

  /** Every lock of the partition with a deadline at or before {@code atMs} is released. */
  record LocksExpired(String groupId, String topic, int partition, long atMs)
      implements ShareRecord {}

  /** The record was produced to the dead-letter topic (acknowledged): it is archived. */
  record DeadLettered(String groupId, String topic, int partition, long offset)
      implements ShareRecord {}

  /** Snapshot form of one partition's whole share state. */
  record PartitionImage(
      String groupId,
      String topic,
      int partition,
      long startOffset,
      long endOffset,
      SharePartitionState.Counters counters,
      List<InFlightRecord> records)
      implements ShareRecord {
    public PartitionImage {
      records = List.copyOf(records);
    }
  }
}
