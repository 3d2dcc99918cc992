package io.keel.logstore;

import io.keel.raft.Checks;
import java.nio.ByteBuffer;

/**
 * Key layout shared by every column family: a group id (u64, big-endian) followed by a u64
 * (big-endian) whose meaning depends on the family. Big-endian unsigned keys sort numerically under
 * RocksDB's bytewise comparator, so one group's keys are contiguous and ordered.
 */
final class Keys {
  static final int BYTES = 16;

  private Keys() {}

  static byte[] of(long groupId, long value) {
    return ByteBuffer.allocate(BYTES).putLong(groupId).putLong(value).array();
  }

  /** A timestamp key: the sign bit is flipped so negative timestamps sort first. */
  static byte[] ofTimestamp(long groupId, long timestampMs) {
    return of(groupId, timestampMs ^ Long.MIN_VALUE);
  }

  static long timestampOf(byte[] key) {
    return valueOf(key) ^ Long.MIN_VALUE;
  }

  /** The first key of {@code groupId}. */
  static byte[] groupStart(long groupId) {
    return of(groupId, 0);
  }

  /** The first key after every key of {@code groupId} (exclusive end of the group's range). */
  static byte[] groupEnd(long groupId) {
    checkGroup(groupId);
    return of(groupId + 1, 0);
  }

  /** The largest key of {@code groupId}, for seekForPrev. */
  static byte[] groupLast(long groupId) {
    return of(groupId, -1L);
  }

  static long groupOf(byte[] key) {
    return ByteBuffer.wrap(key).getLong(0);
  }

  static long valueOf(byte[] key) {
    return ByteBuffer.wrap(key).getLong(8);
  }

  static void checkGroup(long groupId) {
    Checks.arg(
        groupId >= 0 && groupId < Long.MAX_VALUE,
        "groupId must be in [0, %s), was %s",
        Long.MAX_VALUE,
        groupId);
  }
}
